import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ConfigurationError, validateEnvironment } from '../config/configuration.js';
// Declares the DATABASE_URL check (config/environment-extensions.ts).
import './database-url.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    validateEnvironment(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return error.problems;
  }
};

describe('DATABASE_URL in the configuration', () => {
  it('checks DATABASE_URL, and refuses to run production on the embedded database', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('base64'), ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    expect(problemsOf(production)).toEqual([expect.stringMatching(/^DATABASE_URL: required in production/)]);
    expect(problemsOf({ ...production, DATABASE_URL: 'postgresql://app:pw@db.internal:5432/orderline' })).toEqual([]);
    expect(problemsOf({ DATABASE_URL: 'postgres://localhost/orderline' })).toEqual([]);
    expect(problemsOf({ DATABASE_URL: 'mysql://root:pw@localhost/shop' })).toEqual([expect.stringMatching(/^DATABASE_URL: unsupported scheme "mysql"/)]);
    expect(problemsOf({ DATABASE_URL: 'db.internal:5432' })).toEqual([expect.stringMatching(/^DATABASE_URL: unsupported scheme "db.internal"/)]);
    expect(problemsOf({ DATABASE_URL: 'not a url' })).toEqual([expect.stringMatching(/^DATABASE_URL: not a valid URL/)]);
    expect(problemsOf({ DATABASE_URL: 'mysql://root:s3cr3t@localhost/shop' }).join()).not.toContain('s3cr3t');
  });
});
