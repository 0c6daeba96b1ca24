import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApp } from './support/app-process.js';
import { runBuilt } from './support/cli.js';
import { applyEnv } from './support/helpers.js';
import { createScratchDatabase, type ScratchDatabase } from './setup/test-database.js';
import { ENCRYPTED_COLUMNS, StoredSecretsService } from '../src/secrets/stored-secrets.service.js';
import { keyFingerprint } from '../src/common/crypto/secret-box.js';
import { DEFAULT_BRAND_ID } from '../src/common/context/brand-context.js';
import { credentialContext } from '../src/settings/credential-catalogue.js';
import type { TestApp } from './support/test-app.js';

const K1 = randomBytes(32);
const K2 = randomBytes(32);
const K3 = randomBytes(32);
const STRIPE = { secretKey: 'sk_test_keyring0001', publishableKey: 'pk_test_keyring0001', webhookSecret: 'whsec_keyring0001' };
/** A second brand's own keys. */
const STRIPE_B = { secretKey: 'sk_test_keyring0002', publishableKey: 'pk_test_keyring0002', webhookSecret: 'whsec_keyring0002' };

/**
 * Encryption key rotation end to end on a database of its own: secrets written under the single ENCRYPTION_KEY of
 * earlier versions, read under a key ring, re-encrypted by `npm run keys -- rotate`, and the old key removed. Two
 * brands hold secrets (the default brand and one signed up in platform mode): rotation covers both.
 */
describe('encryption key ring and rotation', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;
  let support: typeof import('./support/test-app.js');

  beforeAll(async () => {
    await buildApp();
    db = await createScratchDatabase('orderline_keys');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    support = await import('./support/test-app.js');
  }, 180_000);

  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  /** The app on this file's database with these keys (and nothing else about encryption from the environment). */
  async function withApp<T>(
    keys: { ENCRYPTION_KEY?: string; ENCRYPTION_KEYS?: string; PLATFORM_MODE?: string },
    work: (t: TestApp) => Promise<T>,
  ): Promise<T> {
    const restore = applyEnv({
      DATABASE_URL: db.url,
      ENCRYPTION_KEY: keys.ENCRYPTION_KEY ?? '',
      ENCRYPTION_KEYS: keys.ENCRYPTION_KEYS ?? '',
      PLATFORM_MODE: keys.PLATFORM_MODE ?? 'false',
    });
    const t = await support.startTestApp();
    try {
      return await work(t);
    } finally {
      await t.close();
      restore();
    }
  }

  const keysCli = (args: string[], keys: Record<string, string>) =>
    runBuilt('dist/cli/keys.js', args, { NODE_ENV: 'test', DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...keys });

  /** The key of every stored secret, read as the tables' owner (every brand's rows): the default brand's first. */
  const storedKeyIds = async () => {
    const { rows: settings } = await sql.query<{ credentials: Record<string, Record<string, string>> }>(
      'SELECT credentials FROM brand_settings ORDER BY id',
    );
    const { rows: endpoints } = await sql.query<{ secret_encrypted: string }>(
      'SELECT secret_encrypted FROM webhook_endpoints ORDER BY created_at',
    );
    return [...settings.flatMap((row) => Object.values(row.credentials.stripe)), ...endpoints.map((e) => e.secret_encrypted)].map((s) =>
      s.split('.').slice(0, 2).join('.'),
    );
  };
  let brandB: { id: string; slug: string };

  it('reads secrets of the single-key era under a ring, rotates them all in one go, and then needs only the new key', async () => {
    // 1. Secrets written by a version with ENCRYPTION_KEY: three credentials and two webhook endpoints of the default
    // brand; a brand signed up in platform mode with its own three credentials and one endpoint.
    const endpointSecrets = await withApp({ ENCRYPTION_KEY: K1.toString('base64'), PLATFORM_MODE: 'true' }, async (t) => {
      const admin = await support.createAdmin(t);
      await t.http
        .patch('/admin/settings')
        .set(support.bearer(admin.token))
        .send({ credentials: { stripe: STRIPE } })
        .expect(200);
      const created = [];
      for (const path of ['/a', '/b']) {
        created.push(
          (
            await t.http
              .post('/admin/webhook-endpoints')
              .set(support.bearer(admin.token))
              .send({ url: `https://hooks.example.com${path}`, events: ['*'] })
              .expect(201)
          ).body.secret,
        );
      }
      const owner = await t.http
        .post('/auth/register')
        .send({ email: 'owner@keyring-two.example', password: 'ownerpass123', name: 'Owner', brandName: 'Keyring Two' })
        .expect(201);
      await t.http
        .patch('/admin/settings')
        .set(support.bearer(owner.body.accessToken))
        .send({ credentials: { stripe: STRIPE_B } })
        .expect(200);
      await t.http
        .post('/admin/webhook-endpoints')
        .set(support.bearer(owner.body.accessToken))
        .send({ url: 'https://hooks.example.com/two', events: ['*'] })
        .expect(201);
      brandB = await t.prisma.brand.findFirstOrThrow({ where: { slug: 'keyring-two' }, select: { id: true, slug: true } });
      return created as string[];
    });
    expect(await storedKeyIds()).toEqual(Array(9).fill(`v1.${keyFingerprint(K1)}`));

    // 2. The operator moves to a ring: a new key first, the old one after it. Everything still decrypts; new secrets use the new key.
    const ring = { ENCRYPTION_KEYS: `2026-12:${K2.toString('base64')},2026-06:${K1.toString('hex')}` };
    await withApp(ring, async (t) => {
      expect(await t.app.get(StoredSecretsService).unknownKeyProblems()).toEqual([]);
      const admin = await support.createAdmin(t);
      const settings = await t.http.get('/admin/settings').set(support.bearer(admin.token)).expect(200);
      expect(settings.body.credentials.stripe.secretKey).toEqual({ set: true, last4: '0001', source: 'settings' });
      await t.http
        .post('/admin/webhook-endpoints')
        .set(support.bearer(admin.token))
        .send({ url: 'https://hooks.example.com/c', events: ['*'] })
        .expect(201);
    });
    expect(await storedKeyIds()).toEqual([...Array(9).fill(`v1.${keyFingerprint(K1)}`), 'v2.2026-12']);
    expect((await keysCli(['status'], ring)).stdout.trim().split('\n')).toEqual([
      'encrypts  2026-12  1 stored secret(s)',
      'decrypts  2026-06  9 stored secret(s)',
    ]);

    // 3. Rotation (by a CLI that is not in platform mode): every brand's secrets under the new key, one transaction per
    // brand, with counts, audited in each brand's own trail.
    const rotated = await keysCli(['rotate'], ring);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(
      'Re-encrypted under key 2026-12: 9 secret(s) (settings credentials 6, webhook endpoint secrets 3); 1 already under it.',
    );
    const { rows: brands } = await sql.query<{ slug: string }>('SELECT slug FROM brands ORDER BY created_at, id');
    expect(rotated.stdout).toContain(
      `  brand ${brands[0].slug}: 5 re-encrypted, 1 already under it\n  brand keyring-two: 4 re-encrypted, 0 already under it`,
    );
    expect(rotated.stdout).toContain('No stored secret uses 2026-06 any more');
    expect(await storedKeyIds()).toEqual(Array(10).fill('v2.2026-12'));
    const { rows: audit } = await sql.query(
      "SELECT brand_id::text, actor_type, actor_id, entity_id, after FROM audit_log WHERE action = 'secrets.rotated' ORDER BY id",
    );
    const rotation = (brandId: string, settings: number, endpoints: [number, number]) => ({
      brand_id: brandId,
      actor_type: 'SYSTEM',
      actor_id: 'cli',
      entity_id: '2026-12',
      after: {
        keyId: '2026-12',
        settingsCredentials: { rotated: settings, unchanged: 0 },
        webhookEndpointSecrets: { rotated: endpoints[0], unchanged: endpoints[1] },
      },
    });
    expect(audit).toEqual([rotation(DEFAULT_BRAND_ID, 3, [2, 1]), rotation(brandB.id, 3, [1, 0])]);
    // A second rotation has nothing to do.
    expect((await keysCli(['rotate'], ring)).stdout).toContain(
      '0 secret(s) (settings credentials 0, webhook endpoint secrets 0); 10 already under it.',
    );

    // 4. The old key is removed: the same plaintexts come back under the new key alone, in both brands.
    const newOnly = { ENCRYPTION_KEYS: `2026-12:${K2.toString('base64')}` };
    expect((await keysCli(['status'], newOnly)).stdout.trim()).toBe('encrypts  2026-12  10 stored secret(s)');
    await withApp(newOnly, async (t) => {
      const stored = t.app.get(StoredSecretsService);
      expect(await stored.unknownKeyProblems()).toEqual([]);
      const admin = await support.createAdmin(t);
      const settings = await t.http.get('/admin/settings').set(support.bearer(admin.token)).expect(200);
      expect(settings.body.credentials.stripe).toEqual({
        secretKey: { set: true, last4: '0001', source: 'settings' },
        publishableKey: { set: true, last4: '0001', source: 'settings' },
        webhookSecret: { set: true, last4: '0001', source: 'settings' },
      });
    });
    const { SecretBox } = await import('../src/common/crypto/secret-box.js');
    const { rows: endpoints } = await sql.query<{ id: string; secret_encrypted: string }>(
      'SELECT id::text, secret_encrypted FROM webhook_endpoints ORDER BY created_at LIMIT 2',
    );
    const box = new SecretBox([{ id: '2026-12', key: K2, named: true }]);
    expect(endpoints.map((e) => box.decrypt(e.secret_encrypted, `webhook_endpoints.secret:${e.id}`))).toEqual(endpointSecrets);
    const {
      rows: [settingsB],
    } = await sql.query<{ credentials: Record<string, Record<string, string>> }>(
      'SELECT credentials FROM brand_settings WHERE brand_id = $1',
      [brandB.id],
    );
    expect(
      Object.fromEntries(
        Object.entries(settingsB.credentials.stripe).map(([field, sealed]) => [
          field,
          box.decrypt(sealed, credentialContext('stripe', field)),
        ]),
      ),
    ).toEqual(STRIPE_B);
  });

  it('knows every column that holds secrets, so rotation covers all of them', async () => {
    const { rows } = await sql.query<{ column: string }>(`
      SELECT table_name || '.' || column_name AS column FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name ~ '(encrypted|secret|credential|cipher)' ORDER BY 1`);
    expect(rows.map((r) => r.column)).toEqual([...ENCRYPTED_COLUMNS].sort());
  });

  it('names the missing key id instead of failing later, and refuses to rotate what it cannot read', async () => {
    const foreign = { ENCRYPTION_KEYS: `other:${K3.toString('base64')}` };
    await withApp(foreign, async (t) => {
      const problems = await t.app.get(StoredSecretsService).unknownKeyProblems();
      expect(problems).toEqual([
        expect.stringMatching(
          new RegExp(
            '^Stored secrets are encrypted under key id 2026-12, which is not in the key ring \\(other\\): ' +
              'brand_settings\\.credentials\\.stripe\\.secretKey, ',
          ),
        ),
      ]);
    });
    const before = await storedKeyIds();
    const refused = await keysCli(['rotate'], foreign);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: Stored secrets are encrypted under key id 2026-12, which is not in the key ring \(other\)/);
    expect(await storedKeyIds()).toEqual(before);
    expect((await keysCli(['status'], foreign)).stdout.trim().split('\n')).toEqual([
      'encrypts  other  0 stored secret(s)',
      'unknown   2026-12  10 stored secret(s)',
    ]);
  });
});
