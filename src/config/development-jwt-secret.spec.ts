import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateEnvironment } from './configuration.js';

describe('JWT_SECRET when it is not set', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'orderline-secret-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const secretOf = (env: Record<string, string>) => validateEnvironment(env).JWT_SECRET!;

  it('is generated per install outside production, kept in the data directory readable by its owner only', () => {
    const dataDir = path.join(tempDir(), '.data');
    const secret = secretOf({ NODE_ENV: 'development', EMBEDDED_PG_DIR: dataDir });
    expect(secret).not.toBe('orderline-development-secret-not-for-production');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const file = path.join(dataDir, 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Every process of the install (restarts, several instances, the test runner) reads the same secret...
    expect(secretOf({ NODE_ENV: 'test', EMBEDDED_PG_DIR: dataDir })).toBe(secret);
    // ...and another install has its own.
    expect(secretOf({ NODE_ENV: 'development', EMBEDDED_PG_DIR: path.join(tempDir(), '.data') })).not.toBe(secret);
  });

  it('is generated for the process alone when the data directory cannot hold it', () => {
    const notADirectory = path.join(tempDir(), 'file');
    writeFileSync(notADirectory, 'x');
    const first = secretOf({ NODE_ENV: 'development', EMBEDDED_PG_DIR: notADirectory });
    expect(first).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(secretOf({ NODE_ENV: 'development', EMBEDDED_PG_DIR: notADirectory })).not.toBe(first);
  });

  it('is never generated in production: without a strong JWT_SECRET (or with the old public one) start-up fails', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://orderline@db.internal:5432/orderline',
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    };
    expect(() => validateEnvironment(production)).toThrow(/JWT_SECRET: required in production/);
    expect(() => validateEnvironment({ ...production, JWT_SECRET: 'orderline-development-secret-not-for-production' })).toThrow(
      /JWT_SECRET: must be at least 32/,
    );
    expect(validateEnvironment({ ...production, JWT_SECRET: 'x'.repeat(40) }).JWT_SECRET).toBe('x'.repeat(40));
  });

  it('is left alone when set', () => {
    expect(
      secretOf({ NODE_ENV: 'development', JWT_SECRET: 'chosen-by-the-developer', EMBEDDED_PG_DIR: path.join(tempDir(), '.data') }),
    ).toBe('chosen-by-the-developer');
  });
});
