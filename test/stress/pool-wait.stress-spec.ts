import pg from 'pg';
import type { PrismaService } from '../../src/prisma/prisma.service.js';
import { createProductWithStock } from '../support/fixtures.js';
import { AppProcess } from '../support/app-process.js';
import { checkerPool, fixturePrisma } from '../support/database.js';
import { call, pooled, tally, type Outcome } from '../support/load.js';
import { scaled } from '../support/scale.js';

const POOL = 2;

const codCheckout = (variantId: string, i: number) => ({
  items: [{ variantId, quantity: 1 }],
  contact: { name: `Pool Shopper ${i}`, email: `pool-${i}@example.com`, phone: '+919800000005' },
  shippingAddress: { line1: `${i} Pool Road`, city: 'Chennai', postalCode: '600001', country: 'IN' },
  paymentMethod: 'cod',
});

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];

/**
 * DB_CONNECTION_WAIT_MS is the one bound on how long a request waits for a database connection (the pg pool's
 * connect timeout and Prisma's transaction maxWait are both set from it). With a pool of 2: a burst a hundred times
 * larger queues and finishes when the connections turn over within the bound; when they cannot (held by
 * transactions stuck behind a row lock), every request that needs one gets 503 with Retry-After close to the bound —
 * not earlier (the old 5 s pool timeout fired before the 15 s transaction wait), not later, and never a 500.
 */
describe('pool wait: a burst larger than the pool queues, or is shed at DB_CONNECTION_WAIT_MS', () => {
  let prisma: PrismaService;
  let db: pg.Pool;
  let variantIds: string[];
  let slug: string;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    prisma = fixturePrisma();
    db = checkerPool();
    const product = await createProductWithStock(
      prisma,
      Array.from({ length: 20 }, () => ({ stock: 100_000 })),
    );
    variantIds = product.variants.map((v) => v.id);
    slug = product.slug;
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await prisma?.$disconnect();
    await db?.end();
  });

  const start = async (waitMs: number) => {
    const app = await AppProcess.start({
      databaseUrl: process.env.DATABASE_URL!,
      env: { DB_POOL_SIZE: String(POOL), DB_CONNECTION_WAIT_MS: String(waitMs) },
    });
    apps.push(app);
    return app;
  };

  it('queues a burst of 100x the pool and finishes every request within the bound', async () => {
    const waitMs = 20_000;
    const app = await start(waitMs);
    const burst = scaled(200);
    const outcomes = await pooled(burst, burst, (i) =>
      i % 2
        ? call(app.baseUrl, 'POST', '/orders/checkout', { body: codCheckout(variantIds[i % variantIds.length], i) })
        : call(app.baseUrl, 'GET', `/products/${slug}`),
    );
    expect(tally(outcomes)).toEqual({ 200: Math.ceil(burst / 2), 201: Math.floor(burst / 2) });
    const ms = outcomes.map((o) => o.ms);
    process.stderr.write(
      `pool wait (queue): ${burst} concurrent requests on ${POOL} connections, p50 ${Math.round(percentile(ms, 50))} ms, max ` +
        `${Math.round(Math.max(...ms))} ms (bound ${waitMs} ms)\n`,
    );
    expect(Math.max(...ms)).toBeLessThan(waitMs);
  });

  it('answers 503 with Retry-After at the bound when no connection frees up in time, and recovers', async () => {
    const waitMs = 1_500;
    const app = await start(waitMs);
    // Both connections end up inside checkout transactions waiting for inventory rows this client holds.
    const blocker = await db.connect();
    const held = variantIds.slice(0, POOL);
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM inventory_levels WHERE variant_id = ANY($1::uuid[]) FOR UPDATE', [held]);
    let blocked: Promise<Outcome[]> | undefined;
    try {
      blocked = Promise.all(held.map((variantId, i) => call(app.baseUrl, 'POST', '/orders/checkout', { body: codCheckout(variantId, i) })));
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { rows } = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND " +
            "query LIKE '%FROM inventory_levels%FOR UPDATE%' AND pid <> $1",
          [(blocker as unknown as { processID: number }).processID],
        );
        if (rows[0].n === POOL) break;
        if (Date.now() > deadline) throw new Error(`checkouts never held both connections: ${rows[0].n} waiting`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      const burst = scaled(40);
      const shed = await pooled(burst, burst, (i) =>
        i % 2
          ? call(app.baseUrl, 'GET', `/products/${slug}`)
          : call(app.baseUrl, 'POST', '/orders/checkout', { body: codCheckout(variantIds[POOL + (i % (variantIds.length - POOL))], i) }),
      );
      expect(tally(shed)).toEqual({ 503: burst });
      for (const o of shed)
        expect(o.body).toEqual({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'The database is unavailable; please retry shortly',
        });
      const ms = shed.map((o) => o.ms);
      process.stderr.write(
        `pool wait (shed): ${burst} requests on a blocked pool, 503 after ` +
          `${Math.round(Math.min(...ms))}-${Math.round(Math.max(...ms))} ms (bound ${waitMs} ms)\n`,
      );
      expect(Math.min(...ms)).toBeGreaterThanOrEqual(waitMs - 50);
      expect(Math.max(...ms)).toBeLessThan(waitMs + 3_000);
      const retryAfter = await fetch(`${app.baseUrl}/products/${slug}`);
      expect(retryAfter.status).toBe(503);
      expect(retryAfter.headers.get('retry-after')).toBe('1');
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    // The held checkouts go through once the rows are free; so does everything after.
    expect(tally(await blocked)).toEqual({ 201: POOL });
    const after = await pooled(20, 20, (i) =>
      call(app.baseUrl, 'POST', '/orders/checkout', { body: codCheckout(variantIds[i % variantIds.length], i) }),
    );
    expect(tally(after)).toEqual({ 201: 20 });
  });
});
