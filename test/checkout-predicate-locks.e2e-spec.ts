import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

type TestAppModule = typeof import('./support/test-app.js');

/** The tables a checkout writes: a whole-table predicate lock on any of them conflicts with every concurrent checkout. */
const WRITTEN = [
  'orders',
  'order_items',
  'order_status_history',
  'audit_log',
  'inventory_levels',
  'stock_movements',
  'outbox_messages',
  'payments',
  'drop_purchase_counts',
  'drop_order_claims',
];

/**
 * Under Serializable, PostgreSQL remembers what each transaction read (SIREAD predicate locks) until every transaction
 * that overlapped it has ended. A sequential scan remembers the whole table, so two checkouts that each scanned a
 * table the other inserts into abort one another ("identification as a pivot"), and a drop's crowd retries over and
 * over. The planner picks sequential scans on small tables — a new brand's first drop, with statistics taken while
 * the tables were nearly empty — so the checkout's transaction forbids them (KEYED_PLANS in prisma/direct-sql.ts), and
 * the foreign-key checks planned inside it look their rows up by key too.
 */
describe('checkout predicate locks', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let db: pg.Client;
  let holder: pg.Client;
  beforeAll(async () => {
    isolated = await startIsolatedTestApp({ DROP_RATE_LIMIT_PER_IP: '100000' });
    t = isolated.t;
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await Promise.all([db.connect(), holder.connect()]);
  });
  afterAll(async () => {
    await holder?.end();
    await db?.end();
    await isolated?.close();
  });

  it('locks rows, never whole tables, on tables the planner would scan whole', async () => {
    const testApp: TestAppModule = await import('./support/test-app.js');
    const admin = await testApp.createAdmin(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 20 }]);
    const variantId = product.variants[0].id;
    const drop = await t.http
      .post('/admin/drops')
      .set(testApp.bearer(admin.token))
      .send({ name: 'Small tables', startsAt: new Date(Date.now() - 1000).toISOString(), productIds: [product.id], perCustomerLimit: 5 });
    expect(drop.status).toBe(201);
    const buy = () => t.http.post('/orders/checkout').send(checkoutBody([{ variantId, quantity: 1 }]));
    expect((await buy()).status).toBe(201);

    // Statistics of tiny tables; the app's cached plans (its statements' and the foreign-key checks') are made again.
    await db.query(`ANALYZE ${WRITTEN.join(', ')}`);
    // What makes this test able to fail: a plan made the usual way reads these tables whole.
    await db.query('BEGIN');
    await db.query('SET LOCAL plan_cache_mode = force_generic_plan');
    await db.query('PREPARE fk_check(uuid) AS SELECT 1 FROM ONLY orders x WHERE id = $1 FOR KEY SHARE OF x');
    const { rows: plan } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE fk_check('${variantId}')`);
    await db.query('ROLLBACK');
    await db.query('DEALLOCATE fk_check');
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('Seq Scan on orders');

    // A Serializable transaction left open keeps the predicate locks of every checkout that commits meanwhile.
    await holder.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await holder.query('SELECT 1');
    try {
      for (let i = 0; i < 3; i++) expect((await buy()).status).toBe(201);
      const { rows } = await db.query<{ relation: string; n: number }>(
        `SELECT relation::regclass::text AS relation, count(*)::int AS n FROM pg_locks
          WHERE mode = 'SIReadLock' AND locktype = 'relation' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          GROUP BY 1`,
      );
      const { rows: rowLocks } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE mode = 'SIReadLock' AND relation = 'drop_purchase_counts_pkey'::regclass`,
      );
      // None of the checkouts took a table whole, and they did read under Serializable (their row locks are there).
      expect(rows.filter((r) => WRITTEN.includes(r.relation))).toEqual([]);
      expect(rowLocks[0].n).toBeGreaterThan(0);
    } finally {
      await holder.query('ROLLBACK');
    }
  });
});
