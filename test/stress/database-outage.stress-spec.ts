import type pg from 'pg';
import { AppProcess } from '../support/app-process.js';
import { checkerPool, CHECKER_APPLICATION_NAME, databaseServer, fixturePrisma } from '../support/database.js';
import { stockAndOrderProblems } from '../support/invariants.js';
import { call, pooled, sleep, tally, type Outcome } from '../support/load.js';
import { scaled } from '../support/scale.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createProductWithStock } from '../support/fixtures.js';
import type { PrismaService } from '../../src/prisma/prisma.service.js';

const guestCheckout = (variantId: string) => ({
  items: [{ variantId, quantity: 1 }],
  contact: { name: 'Outage Shopper', email: 'outage@example.com', phone: '+919800000003' },
  shippingAddress: { line1: '3 Outage Lane', city: 'Pune', postalCode: '411001', country: 'IN' },
  paymentMethod: 'cod',
});

const commonErrorShape = { statusCode: expect.any(Number), error: expect.any(String), message: expect.any(String) };

describe('database outage: the app fails fast with 503 and heals itself', () => {
  let db: pg.Pool;
  let prisma: PrismaService;
  let proxy: TcpProxy;
  let app: AppProcess;
  let variantIds: string[];
  let slug: string;

  beforeAll(async () => {
    db = checkerPool();
    prisma = fixturePrisma();
    const product = await createProductWithStock(prisma, [{ stock: 100_000 }, { stock: 100_000 }]);
    variantIds = product.variants.map((v) => v.id);
    slug = product.slug;
    const server = databaseServer();
    proxy = await TcpProxy.start({ host: server.host, port: server.port });
    app = await AppProcess.start({ databaseUrl: proxy.rewrite(process.env.DATABASE_URL!), env: { DB_POOL_SIZE: '10' } });
  });

  afterAll(async () => {
    await app?.stop();
    await proxy?.down();
    await prisma?.$disconnect();
    await db?.end();
  });

  /**
   * A mix of what shoppers do: buy, browse, and the load balancer's health probe. A request still unanswered after
   * 20 s counts as a failure (status 0) rather than stalling the test.
   */
  function shopperRequest(i: number): Promise<Outcome> {
    const timeoutMs = 20_000;
    switch (i % 4) {
      case 0:
      case 1:
        return call(app.baseUrl, 'POST', '/orders/checkout', { body: guestCheckout(variantIds[i % 2]), timeoutMs });
      case 2:
        return call(app.baseUrl, 'GET', `/products/${slug}`, { timeoutMs });
      default:
        return call(app.baseUrl, 'GET', '/health', { timeoutMs });
    }
  }

  async function waitUntilHealthy(timeoutMs: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if ((await call(app.baseUrl, 'GET', '/health', { timeoutMs: 3_000 })).status === 200) return Date.now() - started;
      await sleep(100);
    }
    throw new Error(`not healthy after ${timeoutMs} ms:\n${app.log.slice(-3000)}`);
  }

  it('answers 503 (never 500) while its connections are terminated under load, and keeps every order whole', async () => {
    const { name } = databaseServer();
    let terminated = 0;
    let stop = false;
    const killer = (async () => {
      while (!stop) {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> $2 AND backend_type = 'client backend'`,
          [name, CHECKER_APPLICATION_NAME],
        );
        terminated += rows[0].n;
        await sleep(250);
      }
    })();
    const outcomes = await pooled(scaled(1_200), 16, shopperRequest);
    stop = true;
    await killer;

    expect(terminated).toBeGreaterThan(0);
    expect({ alive: app.alive, log: app.alive ? '' : app.log.slice(-4000) }).toEqual({ alive: true, log: '' });
    const counts = tally(outcomes);
    const unexpected = outcomes.filter((o) => ![200, 201, 409, 503].includes(o.status));
    expect({ unexpected: unexpected.slice(0, 5), counts }).toEqual({ unexpected: [], counts });
    for (const o of outcomes.filter((x) => x.status === 503))
      expect(o.body).toEqual(expect.objectContaining({ ...commonErrorShape, statusCode: 503 }));
    expect(outcomes.filter((o) => o.status === 201).length).toBeGreaterThan(0);

    await waitUntilHealthy(15_000);
    expect(app.alive).toBe(true);
    const created = outcomes.filter((o) => o.status === 201).map((o) => o.body.order.id);
    expect(await stockAndOrderProblems(db, undefined, variantIds)).toEqual([]);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[])`, [created]);
    expect(rows[0].n).toBe(created.length);
  });

  it('answers 503 fast while the database is unreachable, reports it on /health, and recovers without a restart', async () => {
    await proxy.down();
    try {
      const outcomes = await pooled(scaled(120), 8, shopperRequest);
      const counts = tally(outcomes);
      expect({ counts, all503: outcomes.every((o) => o.status === 503) }).toEqual({ counts, all503: true });
      for (const o of outcomes) expect(o.body).toEqual(expect.objectContaining({ ...commonErrorShape, statusCode: 503 }));
      const slowest = Math.max(...outcomes.map((o) => o.ms));
      const sorted = outcomes.map((o) => o.ms).sort((a, b) => a - b);
      const p95 = sorted[Math.floor(sorted.length * 0.95)];
      // "Fast": no request waits for a connection timeout; the pool's connect timeout (5 s) is the hard ceiling.
      expect({ p95Under1s: p95 < 1_000, slowestUnder6s: slowest < 6_000 }).toEqual({ p95Under1s: true, slowestUnder6s: true });
      const health = await call(app.baseUrl, 'GET', '/health', { timeoutMs: 10_000 });
      expect(health.status).toBe(503);
    } finally {
      await proxy.up();
    }
    const healedAfterMs = await waitUntilHealthy(15_000);
    expect(healedAfterMs).toBeLessThan(15_000);
    expect(app.alive).toBe(true);
    const order = await call(app.baseUrl, 'POST', '/orders/checkout', { body: guestCheckout(variantIds[0]) });
    expect(order.status).toBe(201);
    expect((await call(app.baseUrl, 'GET', `/products/${slug}`)).status).toBe(200);
    expect(await stockAndOrderProblems(db, undefined, variantIds)).toEqual([]);
  });
});
