import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApp, startAppProcess, type AppProcess } from './support/app-process.js';
import { runBuilt } from './support/cli.js';
import { createScratchDatabase, type ScratchDatabase } from './setup/test-database.js';
import { SecretBox } from '../src/common/crypto/secret-box.js';

/** A stack trace line, which no start-up failure may print. */
const STACK_LINE = /^\s+at .+:\d+/m;

/**
 * A server that speaks just enough of the PostgreSQL protocol to refuse a password, as a real server with
 * password authentication does (the test cluster trusts every local connection).
 */
async function startPasswordRefusingServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let step = 0;
    socket.on('data', (chunk) => {
      if (step === 0 && chunk.readInt32BE(4) === 80877103) {
        socket.write('N'); // SSLRequest: no TLS here
        return;
      }
      if (step++ === 0) {
        socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
        return;
      }
      const fields = ['SFATAL', 'VFATAL', 'C28P01', 'Mpassword authentication failed for user "shop"'].map((f) => Buffer.from(`${f}\0`));
      const body = Buffer.concat([...fields, Buffer.from([0])]);
      const header = Buffer.alloc(5);
      header.write('E');
      header.writeInt32BE(body.length + 4, 1);
      socket.end(Buffer.concat([header, body]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The production entry point when something is wrong: configuration problems one line each on stderr, database
 * problems named in terms of DATABASE_URL, no stack traces, exit code 1. And the first start without demo data.
 */
describe('starting the server', () => {
  let tmp: string;
  const base = { NODE_ENV: 'test', LOG_LEVEL: 'warn' };

  beforeAll(async () => {
    await buildApp();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'orderline-startup-'));
  }, 180_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const start = (env: Record<string, string>) =>
    runBuilt('dist/main.js', [], { ...base, EMBEDDED_PG_DIR: path.join(tmp, 'never-created'), ...env });
  const stderrLines = (stderr: string) => stderr.trim().split('\n');

  it('prints one line per configuration problem and exits 1 without a stack trace', async () => {
    const result = await start({
      DATABASE_URL: process.env.DATABASE_URL!,
      PORT: 'eighty',
      SEED_DEMO_DATA: 'maybe',
      ADMIN_PASSWORD: 'short',
      DB_POOL_SIZE: '0',
    });
    expect(result.code).toBe(1);
    expect(stderrLines(result.stderr)).toEqual([
      'Configuration error: PORT: must be an integer number (got "eighty")',
      'Configuration error: DB_POOL_SIZE: must not be less than 1 (got 0)',
      'Configuration error: SEED_DEMO_DATA: must be true or false (also accepted: 1/0, yes/no) (got "maybe")',
      'Configuration error: ADMIN_PASSWORD: must be 8 to 72 characters',
    ]);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stdout).toBe('');
  });

  it('refuses to run production on the embedded database', async () => {
    const result = await start({
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    expect(result.code).toBe(1);
    expect(stderrLines(result.stderr)).toEqual([expect.stringMatching(/^Configuration error: DATABASE_URL: required in production/)]);
    expect(existsSync(path.join(tmp, 'never-created'))).toBe(false);
  });

  it('names what failed about the database instead of the driver message', async () => {
    const refusing = await startPasswordRefusingServer();
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    try {
      const cases: [string, RegExp][] = [
        ['postgresql://shop:pw@base:5432/shop', /^Cannot start: DATABASE_URL: host "base" not found$/],
        ['mysql://shop:pw@127.0.0.1:3306/shop', /^Configuration error: DATABASE_URL: unsupported scheme "mysql"; expected postgresql:\/\//],
        [
          `postgresql://shop:wrong-password@127.0.0.1:${refusing.port}/shop`,
          new RegExp(`^Cannot start: DATABASE_URL: password authentication failed for user "shop" on 127\\.0\\.0\\.1:${refusing.port}$`),
        ],
        [
          `postgresql://postgres@127.0.0.1:${closedPort}/shop`,
          new RegExp(`^Cannot start: DATABASE_URL: nothing is listening on 127\\.0\\.0\\.1:${closedPort} \\(is PostgreSQL running\\?\\)$`),
        ],
        [
          new URL('/orderline_no_such_db', process.env.DATABASE_URL).toString(),
          /^Cannot start: DATABASE_URL: database "orderline_no_such_db" does not exist on /,
        ],
      ];
      const results = await Promise.all(cases.map(([url]) => start({ DATABASE_URL: url })));
      cases.forEach(([url, expected], i) => {
        expect([url, results[i].code, stderrLines(results[i].stderr)]).toEqual([url, 1, [expect.stringMatching(expected)]]);
        expect(results[i].stderr).not.toContain('wrong-password');
        expect(results[i].stderr).not.toMatch(STACK_LINE);
      });
    } finally {
      await refusing.close();
    }
  });

  describe('on a fresh database', () => {
    let db: ScratchDatabase;
    let app: AppProcess | undefined;
    beforeAll(async () => {
      db = await createScratchDatabase('orderline_first_start');
    });
    afterAll(async () => {
      await app?.kill();
      await db?.drop();
    });

    it('creates the first admin without demo data, shows its password once in the banner, and not on the next start', async () => {
      app = await startAppProcess({
        DATABASE_URL: db.url,
        SEED_DEMO_DATA: 'false',
        ADMIN_EMAIL: 'owner@brand.example',
        ADMIN_PASSWORD: '',
        LOG_FORMAT: 'json',
      });
      const banner = app.logs().find((l) => typeof l.msg === 'string' && l.msg.startsWith('Orderline is running at'));
      expect(banner).toMatchObject({
        url: `http://localhost:${app.port}`,
        docsUrl: `http://localhost:${app.port}/docs`,
        consoleUrl: `http://localhost:${app.port}/console`,
        adminEmail: 'owner@brand.example',
      });
      const password = /password: (\S+)/.exec(banner!.msg)?.[1];
      expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
      // Nowhere else: not in any other log line.
      expect(app.lines.filter((line) => line.includes(password!))).toHaveLength(1);
      const login = await fetch(`${app.baseUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'owner@brand.example', password }),
      });
      expect(login.status).toBe(200);
      expect(((await (await fetch(`${app.baseUrl}/products`)).json()) as { total: number }).total).toBe(0);
      expect(await app.stop()).toBe(0);

      app = await startAppProcess({
        DATABASE_URL: db.url,
        SEED_DEMO_DATA: 'false',
        ADMIN_EMAIL: 'owner@brand.example',
        LOG_FORMAT: 'json',
      });
      const second = app.logs().find((l) => typeof l.msg === 'string' && l.msg.startsWith('Orderline is running at'));
      expect(second).toBeDefined();
      expect(second!.msg).not.toMatch(/password/);
      expect(second!.adminEmail).toBeUndefined();
      expect(app.lines.join('\n')).not.toContain(password!);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query("SELECT email FROM users WHERE role = 'ADMIN'");
      await client.end();
      expect(rows).toEqual([{ email: 'owner@brand.example' }]);
    });

    it('refuses to start while a stored secret is under a key the ring does not hold, naming the key id', async () => {
      await app?.stop();
      app = undefined;
      const old = new SecretBox([{ id: 'retired-2025', key: randomBytes(32), named: true }]);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const id = (
        await client.query<{ id: string }>(
          'INSERT INTO webhook_endpoints (id, url, events, secret_encrypted, updated_at) VALUES (gen_random_uuid(), ' +
            "'https://hooks.example.com/x', '{*}', 'pending', now()) RETURNING id::text",
        )
      ).rows[0].id;
      await client.query('UPDATE webhook_endpoints SET secret_encrypted = $1 WHERE id = $2', [
        old.encrypt('whsec_x', `webhook_endpoints.secret:${id}`),
        id,
      ]);
      await client.end();
      const result = await start({ DATABASE_URL: db.url, ENCRYPTION_KEYS: `current:${randomBytes(32).toString('base64')}` });
      expect(result.code).toBe(1);
      expect(stderrLines(result.stderr)).toEqual([
        `Cannot start: Stored secrets are encrypted under key id retired-2025, which is not in the key ring (current): ` +
          `webhook_endpoints.secret_encrypted (endpoint ${id}). Add that key to ENCRYPTION_KEYS, or set these secrets again.`,
      ]);
    });
  });
});
