import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { buildApp } from './support/app-process.js';
import { runBuilt } from './support/cli.js';
import { createScratchDatabase, type ScratchDatabase } from './setup/test-database.js';

/** `npm run admin` (dist/cli/admin.js): operators create admins and reset passwords; both audited. */
describe('admin command line', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;

  beforeAll(async () => {
    await buildApp();
    db = await createScratchDatabase('orderline_admin_cli');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  }, 180_000);
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  const admin = (...args: string[]) => runBuilt('dist/cli/admin.js', args, { NODE_ENV: 'test', DATABASE_URL: db.url, BCRYPT_ROUNDS: '4' });
  const user = async (email: string) =>
    (await sql.query('SELECT id::text, role, password_hash FROM users WHERE email = $1', [email])).rows[0];

  it('creates an admin with a generated password shown once, and resets passwords', async () => {
    const created = await admin('create', '--email', 'Ops@Brand.Example', '--name', 'Ops');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const password = /^Created admin ops@brand\.example\. Password: (\S+) \(shown only now\)$/.exec(created.stdout.trim())?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const row = await user('ops@brand.example');
    expect(row.role).toBe('ADMIN');
    expect(await bcrypt.compare(password!, row.password_hash)).toBe(true);

    const reset = await admin('reset-password', '--email', 'ops@brand.example', '--password', 'a-new-long-password');
    expect([reset.code, reset.stdout.trim()]).toEqual([0, 'Password of ops@brand.example (ADMIN) reset.']);
    expect(await bcrypt.compare('a-new-long-password', (await user('ops@brand.example')).password_hash)).toBe(true);

    const { rows: audit } = await sql.query('SELECT action, actor_type, actor_id FROM audit_log WHERE entity_id = $1 ORDER BY id', [
      row.id,
    ]);
    expect(audit).toEqual([
      { action: 'user.admin_created', actor_type: 'SYSTEM', actor_id: 'cli' },
      { action: 'user.password_reset', actor_type: 'SYSTEM', actor_id: 'cli' },
    ]);
  });

  it('refuses mistakes with one line and a non-zero exit, changing nothing', async () => {
    const before = (await sql.query('SELECT count(*)::int AS n FROM users')).rows[0].n;
    const [duplicate, short, unknown, usage, missing] = await Promise.all([
      admin('create', '--email', 'ops@brand.example'),
      admin('create', '--email', 'new@brand.example', '--password', 'short'),
      admin('reset-password', '--email', 'nobody@brand.example'),
      admin('promote', '--email', 'x@brand.example'),
      admin('create'),
    ]);
    expect([duplicate.code, duplicate.stderr.trim()]).toEqual([
      1,
      'Error: An account with ops@brand.example already exists (ADMIN); reset its password instead, or use another email',
    ]);
    expect([short.code, short.stderr.trim()]).toEqual([1, 'Error: The password must be 8 to 72 characters']);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, 'Error: User nobody@brand.example not found']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^Error: Unknown command promote\nUsage: npm run admin -- <command>/);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/^Error: --email is required/)]);
    expect((await sql.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(before);
  });
});
