import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createPrettyStream, logDestination, logSink, pinoOptions, wantsPrettyLogs } from './logging.js';

describe('log format', () => {
  it('is pretty for a terminal (auto) or when asked, JSON otherwise', () => {
    expect(wantsPrettyLogs('auto', true)).toBe(true);
    expect(wantsPrettyLogs('auto', false)).toBe(false);
    expect(wantsPrettyLogs('json', true)).toBe(false);
    expect(wantsPrettyLogs('pretty', false)).toBe(true);
    expect(logDestination('auto', false)).toBe(logSink());
    expect(logDestination('json', true)).toBe(logSink());
    expect(logDestination('auto', true)).toBeDefined();
  });

  it('prints readable lines through pino-pretty, still redacting secrets', () => {
    let printed = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        printed += String(chunk);
        done();
      },
    });
    const logger = pino(pinoOptions('info'), createPrettyStream(sink));
    logger.info({ context: 'Bootstrap', password: 'hunter2-hunter2' }, 'hello');
    logger.info({ method: 'GET', route: '/health', path: '/health', status: 200, durationMs: 3, reqId: 'r1' }, 'request completed');
    const [first, ...rest] = printed.trim().split('\n');
    expect(first).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Bootstrap\] hello$/);
    expect(rest.join('\n')).toContain('password: "[REDACTED]"');
    expect(printed).toMatch(/INFO: request completed GET \/health 200 3ms/);
    expect(printed).not.toContain('hunter2');
  });
});
