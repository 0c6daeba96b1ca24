import { describe, expect, it } from '@jest/globals';
import { validateEnvironment } from '../config/configuration.js';
import { checkDatabaseUrl } from './database-url.js';

describe('DATABASE_URL', () => {
  it('checks DATABASE_URL, and refuses to run production on the embedded database', () => {
    const check = (NODE_ENV: string, DATABASE_URL?: string) => checkDatabaseUrl({ NODE_ENV, DATABASE_URL });
    expect(check('production')).toEqual([expect.stringMatching(/^DATABASE_URL: required in production/)]);
    expect(check('production', 'postgresql://app:pw@db.internal:5432/orderline')).toEqual([]);
    expect(check('development')).toEqual([]);
    expect(check('development', 'postgres://localhost/orderline')).toEqual([]);
    expect(check('development', 'mysql://root:pw@localhost/shop')).toEqual([
      expect.stringMatching(/^DATABASE_URL: unsupported scheme "mysql"/),
    ]);
    expect(check('development', 'db.internal:5432')).toEqual([expect.stringMatching(/^DATABASE_URL: unsupported scheme "db.internal"/)]);
    expect(check('development', 'not a url')).toEqual([expect.stringMatching(/^DATABASE_URL: not a valid URL/)]);
    expect(check('development', 'mysql://root:s3cr3t@localhost/shop').join()).not.toContain('s3cr3t');
  });

  it('is checked whenever the configuration is read: this module declares the check (config/environment-extensions.ts)', () => {
    expect(() => validateEnvironment({ DATABASE_URL: 'mysql://root:s3cr3t@localhost/shop' })).toThrow(
      /DATABASE_URL: unsupported scheme "mysql"/,
    );
  });
});
