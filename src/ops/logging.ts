import cluster from 'node:cluster';
import { pino, type DestinationStream, type Level, type LevelWithSilent, type Logger, type LoggerOptions } from 'pino';
import sonicBoom, { type SonicBoom } from 'sonic-boom';
import { createRequire } from 'node:module';
import type { RequestHandler } from 'express';
import type { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../config/configuration.js';
import { requestIdOf } from './request-id.js';
import { pathOf, routeOf } from './http-route.js';

/**
 * Keys whose values never reach a log line, at any depth of a logged object: credentials, tokens, cookies,
 * webhook signatures (stripe-signature, x-razorpay-signature), provider secrets and keys (STRIPE_SECRET_KEY,
 * RAZORPAY_KEY_SECRET, ...), connection strings that embed a password, and card data.
 */
const SENSITIVE_KEY = new RegExp(
  [
    'passw',
    'secret',
    'token',
    'authori[sz]ation',
    'cookie',
    'signature',
    'api[-_]?key',
    'private[-_]?key',
    'encryption[-_]?key',
    '^card([-_]?number)?$',
    '^cvc$',
    '^cvv$',
    '^database_url$',
    '^smtp_url$',
  ].join('|'),
  'i',
);

export const REDACTED = '[REDACTED]';

const MAX_DEPTH = 8;

/**
 * A copy of `value` with the values of sensitive keys replaced. Errors, dates and binary data are left to pino's
 * serializers; whatever lies deeper than MAX_DEPTH is left out rather than checked.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[Truncated]';
  if (value instanceof Error || value instanceof Date || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = SENSITIVE_KEY.test(key) ? REDACTED : redactSecrets(item, depth + 1);
  return copy;
}

/** What the log sink buffers while stdout does not keep up; lines beyond it are dropped rather than held. */
const SINK_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/** sonic-boom is CommonJS (module.exports = the class); its typings describe an ES default export. */
const SonicBoomStream = sonicBoom as unknown as typeof SonicBoom;

let sink: SonicBoom | undefined;
let sinkBroken = false;

/**
 * The process's one log destination: stdout, written asynchronously (a slow reader never holds up requests). If
 * stdout goes away (EPIPE: the process was piped into `head`) or fails otherwise, logging stops and the app carries
 * on. Unlike pino's default destination, nothing is flushed synchronously at process exit — against a closed or
 * stalled pipe that flush retries for ever, so SIGTERM never ended the process; shutdown calls flushLogs() instead.
 */
export function logSink(): DestinationStream {
  if (!sink) {
    const stream = new SonicBoomStream({ fd: 1, sync: false, maxLength: SINK_BUFFER_MAX_BYTES });
    stream.on('error', () => {
      sinkBroken = true;
      stream.write = () => true;
    });
    sink = stream;
  }
  return sink;
}

/** Writes out what the log sink still holds, waiting at most `timeoutMs` (stdout may be closed or stalled). */
export function flushLogs(timeoutMs: number): Promise<void> {
  const stream = sink;
  if (!stream || sinkBroken) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    stream.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggingConfig {
  level: LevelWithSilent;
  /** One line per finished request. Off for benchmarks; the request id still flows into audit entries. */
  logRequests: boolean;
  format: LogFormat;
}

export function loggingConfig(config: ConfigService<EnvironmentVariables, true>): LoggingConfig {
  return {
    level: config.get('LOG_LEVEL', { infer: true }),
    logRequests: config.get('LOG_REQUESTS', { infer: true }),
    format: config.get('LOG_FORMAT', { infer: true }),
  };
}

/** Whether lines are pretty-printed: LOG_FORMAT=pretty, or auto with a terminal on stdout. */
export const wantsPrettyLogs = (format: LogFormat, isTTY = (process.stdout as { isTTY?: boolean }).isTTY === true) =>
  format === 'pretty' || (format === 'auto' && isTTY);

/**
 * A pino-pretty stream writing readable lines to `destination` (stdout by default), or undefined where pino-pretty,
 * a development dependency, is not installed (the production image).
 */
export function createPrettyStream(destination?: NodeJS.WritableStream): DestinationStream | undefined {
  let pretty: (options: object) => DestinationStream;
  try {
    pretty = createRequire(import.meta.url)('pino-pretty') as typeof pretty;
  } catch {
    return undefined;
  }
  return pretty({
    sync: true,
    ...(destination && { destination }),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context,reqId,method,route,path,status,durationMs',
    messageFormat: '{if context}[{context}] {end}{msg}{if method} {method} {path} {status} {durationMs}ms{end}',
  });
}

let prettyStream: DestinationStream | null | undefined;

/**
 * Where log lines go: for a person at a terminal, pino-pretty (one shared synchronous stream: the startup lines, Nest's
 * lines and the request lines interleave in order); otherwise undefined, meaning JSON on stdout (also where pino-pretty
 * is not installed).
 */
/** Pretty lines on a terminal (or when asked for); otherwise JSON through the non-blocking log sink. */
export function logDestination(format: LogFormat, isTTY?: boolean): DestinationStream {
  if (wantsPrettyLogs(format, isTTY)) {
    if (prettyStream === undefined) prettyStream = createPrettyStream() ?? null;
    if (prettyStream) return prettyStream;
  }
  return logSink();
}

/** Base pino options shared by the request logger and the bootstrap logger. */
export function pinoOptions(level: LevelWithSilent): LoggerOptions {
  return {
    level,
    // A worker of WEB_CONCURRENCY says which process of the install wrote the line.
    base: { service: 'orderline', ...(cluster.isWorker && { pid: process.pid }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      // Every logged object passes through here (child logger bindings do not: bind only ids to children).
      log: (object) => redactSecrets(object) as Record<string, unknown>,
    },
  };
}

const levelFor = (status: number): Level => (status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info');
const verbose = (level: LevelWithSilent) => level === 'debug' || level === 'trace';

/**
 * The request logger, in place of pino-http (which, on every request, serialises the request's headers into a second
 * child logger nothing here uses): one child logger per request bound to its id only (what Nest's Logger calls within
 * the request write through), and with LOG_REQUESTS one flat JSON line per finished request (method, route, path,
 * status, durationMs, reqId), with the request headers added at debug level. The request id is the one the request-id
 * middleware fixed, so the line, the X-Request-Id response header and the audit entries agree. The line is built only
 * when its level is enabled.
 */
export function requestLogger(config: LoggingConfig, destination: DestinationStream): RequestHandler {
  const logger = pino(pinoOptions(config.level), destination);
  const withHeaders = verbose(config.level);
  return (req, res, next) => {
    const startedAt = Date.now();
    const log = logger.child({ reqId: requestIdOf(req, res) });
    req.log = log;
    res.log = log;
    if (config.logRequests) {
      const finished = (error?: Error) => {
        res.off('close', finished);
        res.off('finish', finished);
        res.off('error', finished);
        const failed = error !== undefined || res.statusCode >= 500;
        // The exception filter logs the stack of a 5xx (with the same reqId); the request line stays one flat line.
        const level = error ? 'error' : levelFor(res.statusCode);
        if (!log.isLevelEnabled(level)) return;
        log[level](
          {
            method: req.method,
            route: routeOf(req),
            path: pathOf(req),
            status: res.statusCode,
            durationMs: Date.now() - startedAt,
            ...(!res.writableFinished && { aborted: true }),
            ...(withHeaders && { headers: req.headers }),
          },
          failed ? 'request failed' : 'request completed',
        );
      };
      res.on('close', finished);
      res.on('finish', finished);
      res.on('error', finished);
    }
    next();
  };
}

/** For the lines main.ts and the command-line tools write outside the app's logger: database start, migrations. */
export function createBootstrapLogger(config: Pick<EnvironmentVariables, 'LOG_LEVEL' | 'LOG_FORMAT'>): Logger {
  const options = pinoOptions(config.LOG_LEVEL);
  return pino(options, logDestination(config.LOG_FORMAT));
}
