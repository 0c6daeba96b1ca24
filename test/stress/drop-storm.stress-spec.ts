import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { startTestApp, createAdmin, type TestApp } from '../support/test-app.js';
import { checkerPool } from '../support/database.js';
import { stockAndOrderProblems } from '../support/invariants.js';
import { runDropStorm } from '../support/drop-storm.js';

/**
 * A small drop storm (npm run bench runs the full one, with its timings): 1,000 buyers, each on a new connection,
 * released within the first second of a drop of 60 units across 3 variants. Exactly the stock is sold, nothing is
 * oversold, no answer is a 5xx or a failed connection, every refusal is a 409/429 that says why, and the bot phone that
 * comes back every 50th buyer never gets more than the per-customer limit.
 */
describe('drop storm', () => {
  let t: TestApp;
  let db: pg.Pool;
  let baseUrl: string;
  let adminToken: string;

  beforeAll(async () => {
    // All buyers come from this one address.
    process.env.DROP_RATE_LIMIT_PER_IP = '1000000';
    t = await startTestApp();
    delete process.env.DROP_RATE_LIMIT_PER_IP;
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    db = checkerPool();
    adminToken = (await createAdmin(t)).token;
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('sells exactly the 60 units to 1,000 buyers released in one second, and tells everyone else why', async () => {
    const storm = await runDropStorm(
      { baseUrl, adminToken, buyers: 1000, variants: 3, unitsPerVariant: 20, releaseMs: 1000, perCustomerLimit: 2 },
      db,
    );
    process.stderr.write(`drop storm (stress): ${JSON.stringify(storm)}\n`);
    expect(storm.earlyTap).toMatchObject({ status: 409, code: 'DROP_NOT_OPEN' });
    expect(storm.earlyTap.opensAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(storm).toMatchObject({
      sold: 60,
      oversold: 0,
      serverErrors: 0,
      connectionFailures: 0,
      unexplainedRefusals: 0,
      overLimitPhones: 0,
    });
    expect(storm.statuses['201']).toBe(60);
    expect(await stockAndOrderProblems(db)).toEqual([]);
  });
});
