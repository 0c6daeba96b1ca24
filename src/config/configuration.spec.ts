import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import { ConfigurationError, environmentVariableNames, toInt, validateEnvironment } from './configuration.js';
import { extendEnvironment, optionalStrings } from './environment-extensions.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    validateEnvironment(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return error.problems;
  }
};

describe('configuration', () => {
  it('reads every boolean the same way: true/false, 1/0, yes/no in any case, blank for the default', () => {
    const variables = ['SEED_DEMO_DATA', 'SCHEDULER_ENABLED', 'LOG_REQUESTS', 'RATE_LIMIT_ENABLED', 'METRICS_ENABLED'] as const;
    for (const name of variables) {
      for (const [raw, expected] of [
        ['true', true],
        ['TRUE', true],
        [' yes ', true],
        ['1', true],
        ['Yes', true],
        ['false', false],
        ['0', false],
        ['no', false],
        ['NO', false],
        ['False', false],
      ] as const) {
        expect([name, raw, validateEnvironment({ [name]: raw })[name]]).toEqual([name, raw, expected]);
      }
      expect(validateEnvironment({ [name]: '' })[name]).toBe(true);
      expect(validateEnvironment({})[name]).toBe(true);
      for (const garbage of ['maybe', '2', 'on', 'off', 'y', 'tru', '10']) {
        expect(problemsOf({ [name]: garbage })).toEqual([`${name}: must be true or false (also accepted: 1/0, yes/no) (got "${garbage}")`]);
      }
    }
  });

  it(
    'treats SEED_DEMO_DATA=0 as off, like every other false value (main.ts used to seed on it), and seeds demo data by default ' +
      'only outside production',
    () => {
      expect(validateEnvironment({ SEED_DEMO_DATA: '0' }).SEED_DEMO_DATA).toBe(false);
      expect(validateEnvironment({ SEED_DEMO_DATA: 'no' }).SEED_DEMO_DATA).toBe(false);
      const production = {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgresql://db/x',
        JWT_SECRET: randomBytes(32).toString('base64'),
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      };
      expect(validateEnvironment(production).SEED_DEMO_DATA).toBe(false);
      expect(validateEnvironment({ ...production, SEED_DEMO_DATA: 'yes' }).SEED_DEMO_DATA).toBe(true);
      expect(validateEnvironment({ NODE_ENV: 'development' }).SEED_DEMO_DATA).toBe(true);
    },
  );

  it('types whole numbers and refuses anything else with one message per variable', () => {
    expect(validateEnvironment({ PORT: '8080' }).PORT).toBe(8080);
    expect(validateEnvironment({ PORT: ' 8080 ' }).PORT).toBe(8080);
    expect(validateEnvironment({ PORT: '0' }).PORT).toBe(0);
    expect(validateEnvironment({ PORT: '' }).PORT).toBe(3000);
    expect(validateEnvironment({}).PORT).toBe(3000);
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT: must be an integer number (got "abc")']);
    expect(problemsOf({ PORT: '3e3' })).toEqual(['PORT: must be an integer number (got "3e3")']);
    expect(problemsOf({ PORT: '0x50' })).toEqual(['PORT: must be an integer number (got "0x50")']);
    expect(problemsOf({ PORT: '80.5' })).toEqual(['PORT: must be an integer number (got "80.5")']);
    expect(problemsOf({ PORT: '65536' })).toEqual(['PORT: must not be greater than 65535 (got 65536)']);
    expect(problemsOf({ DB_POOL_SIZE: '0' })).toEqual(['DB_POOL_SIZE: must not be less than 1 (got 0)']);
    expect(problemsOf({ EMBEDDED_PG_PORT: '99999' })).toEqual(['EMBEDDED_PG_PORT: must not be greater than 65535 (got 99999)']);
  });

  it('takes WEB_CONCURRENCY as auto or a number of processes, 1 unless set', () => {
    expect(validateEnvironment({}).WEB_CONCURRENCY).toBe('1');
    expect(validateEnvironment({ WEB_CONCURRENCY: 'auto' }).WEB_CONCURRENCY).toBe('auto');
    expect(validateEnvironment({ WEB_CONCURRENCY: '4' }).WEB_CONCURRENCY).toBe('4');
    for (const bad of ['0', '-1', 'two', '2.5', '100'])
      expect(problemsOf({ WEB_CONCURRENCY: bad })).toEqual([`WEB_CONCURRENCY: must be auto or a whole number from 1 to 99 (got "${bad}")`]);
  });

  it('lists every problem at once, one line each, and never repeats a secret value', () => {
    const problems = problemsOf({
      PORT: 'x',
      LOG_LEVEL: 'loud',
      ADMIN_EMAIL: 'not-an-email',
      ADMIN_PASSWORD: 'hunter2',
      SCHEDULER_ENABLED: 'sometimes',
    });
    expect(problems).toEqual([
      'PORT: must be an integer number (got "x")',
      'SCHEDULER_ENABLED: must be true or false (also accepted: 1/0, yes/no) (got "sometimes")',
      'ADMIN_EMAIL: must be an email address (got "not-an-email")',
      'ADMIN_PASSWORD: must be 8 to 72 characters',
      expect.stringMatching(/^LOG_LEVEL: must be one of the following values: fatal, error/),
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems.every((p) => !p.includes('\n'))).toBe(true);
  });

  it('gives the first admin and the embedded database typed defaults', () => {
    const config = validateEnvironment({});
    expect(config).toMatchObject({
      ADMIN_EMAIL: 'admin@orderline.local',
      EMBEDDED_PG_PORT: 54329,
      EMBEDDED_PG_DIR: '.data',
      DB_CONNECTION_WAIT_MS: 5000,
      LOG_FORMAT: 'auto',
    });
    expect(config.ADMIN_PASSWORD).toBeUndefined();
    expect(validateEnvironment({ EMBEDDED_PG_PORT: '54342', EMBEDDED_PG_DIR: '/tmp/pg' })).toMatchObject({
      EMBEDDED_PG_PORT: 54342,
      EMBEDDED_PG_DIR: '/tmp/pg',
    });
  });

  it('takes PUBLIC_URL as a scheme, host and port, by default this server on localhost', () => {
    expect(validateEnvironment({}).PUBLIC_URL).toBe('http://localhost:3000');
    expect(validateEnvironment({ PORT: '8080' }).PUBLIC_URL).toBe('http://localhost:8080');
    expect(validateEnvironment({ PUBLIC_URL: 'https://Shop.Example.com/' }).PUBLIC_URL).toBe('https://shop.example.com');
    expect(validateEnvironment({ PUBLIC_URL: 'http://10.0.0.5:8443' }).PUBLIC_URL).toBe('http://10.0.0.5:8443');
    for (const bad of [
      'shop.example.com',
      'ftp://shop.example.com',
      'https://shop.example.com/orderline',
      'https://a:99999',
      'https://x?y',
    ])
      expect(problemsOf({ PUBLIC_URL: bad })).toEqual([
        'PUBLIC_URL: must be an http(s) URL of scheme, host and port only, such as https://shop.example.com',
      ]);
  });

  it('reads, types and checks the variables a module declares, like its own, and lists them with its own', () => {
    class WidgetEnvironment {
      @Transform(toInt) @IsInt() @Min(1) WIDGET_LIMIT = 5;
      @IsOptional() @IsString() WIDGET_URL?: string;
    }
    extendEnvironment('widgets', {
      variables: WidgetEnvironment,
      check: (config) => (config.WIDGET_URL && config.NODE_ENV === 'production' ? ['WIDGET_URL: not in production'] : []),
    });
    extendEnvironment('widgets.credentials', { variables: optionalStrings(['WIDGET_SECRET']) });
    try {
      expect(validateEnvironment({ WIDGET_LIMIT: '12', WIDGET_SECRET: 's3cr3t', PORT: '8080' })).toMatchObject({
        WIDGET_LIMIT: 12,
        WIDGET_SECRET: 's3cr3t',
        PORT: 8080,
      });
      expect(validateEnvironment({})).toMatchObject({ WIDGET_LIMIT: 5 });
      expect(problemsOf({ WIDGET_LIMIT: '0', PORT: 'x' })).toEqual([
        'PORT: must be an integer number (got "x")',
        'WIDGET_LIMIT: must not be less than 1 (got 0)',
      ]);
      const production = { NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('base64'), WIDGET_URL: 'https://w.example' };
      expect(problemsOf(production)).toContain('WIDGET_URL: not in production');
      expect(environmentVariableNames()).toEqual(expect.arrayContaining(['PORT', 'WIDGET_LIMIT', 'WIDGET_SECRET', 'WIDGET_URL']));
    } finally {
      extendEnvironment('widgets', {});
      extendEnvironment('widgets.credentials', {});
    }
  });
});
