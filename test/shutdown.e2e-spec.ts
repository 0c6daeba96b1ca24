import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { applyEnv, sleep } from './support/helpers.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { createScratchDatabase, type ScratchDatabase } from './setup/test-database.js';
import type { TestApp } from './support/test-app.js';

/** A webhook receiver that takes `delayMs` to answer each delivery. */
async function startSlowReceiver(delayMs: number) {
  const received: { at: number; body: string }[] = [];
  const answered: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ at: Date.now(), body });
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        answered.push(Date.now());
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Shutdown order (app.close(), which SIGTERM ends in too): HTTP stops, the jobs drain in beforeApplicationShutdown,
 * and the database disconnects last. Closed in the middle of an outbox delivery, the message ends up delivered once
 * and recorded as such — not delivered but left PENDING (sent again after its lease), and not lost.
 */
describe('shutdown order', () => {
  let db: ScratchDatabase;
  let sql: pg.Client;
  let receiver: Awaited<ReturnType<typeof startSlowReceiver>>;

  beforeAll(async () => {
    db = await createScratchDatabase('orderline_shutdown');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    receiver = await startSlowReceiver(1500);
  });

  /** Connections to this file's database other than the checker's own, after a moment for closing sockets. */
  async function appConnections(): Promise<number> {
    let count = -1;
    for (const deadline = Date.now() + 2_000; count !== 0 && Date.now() < deadline; await sleep(50)) {
      const { rows } = await sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      count = rows[0].n;
    }
    return count;
  }

  afterAll(async () => {
    await receiver?.close();
    await sql?.end();
    await db?.drop();
  });

  it('finishes the dispatch round in flight and records its outcome before the database disconnects', async () => {
    // The receiver listens on this machine: private targets are allowed for the test (never in production).
    const restore = applyEnv({
      DATABASE_URL: db.url,
      SCHEDULER_ENABLED: 'true',
      OUTBOX_INTERVAL_MS: '100',
      OUTBOX_DELIVERY_TIMEOUT_MS: '10000',
      ALLOW_PRIVATE_TARGETS: 'true',
    });
    const support = await import('./support/test-app.js');
    let t: TestApp | undefined = await support.startTestApp();
    try {
      const admin = await support.createAdmin(t);
      const endpoint = await t.http
        .post('/admin/webhook-endpoints')
        .set(support.bearer(admin.token))
        .send({ url: `${receiver.url}/hook`, events: ['order.created'] })
        .expect(201);
      const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
      const order = (
        await t.http
          .post('/orders/checkout')
          .send(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]))
          .expect(201)
      ).body.order;

      // The scheduled round has claimed the message and is waiting for the receiver's answer.
      for (const deadline = Date.now() + 15_000; !receiver.received.length && Date.now() < deadline;) await sleep(20);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.answered).toHaveLength(0);

      await t.close();
      const closedAt = Date.now();
      t = undefined;
      // close() waited for the answer and for the outcome to be written.
      expect(receiver.answered).toHaveLength(1);
      expect(closedAt).toBeGreaterThanOrEqual(receiver.answered[0]);
      const { rows } = await sql.query(
        'SELECT status, attempts, delivered_at IS NOT NULL AS delivered FROM outbox_messages WHERE aggregate_id = $1 AND destination = $2',
        [order.id, `webhook:${endpoint.body.id}`],
      );
      expect(rows).toEqual([{ status: 'DELIVERED', attempts: 1, delivered: true }]);
      expect(receiver.received).toHaveLength(1);
      // ...on the pool that was then closed for good: a write after the disconnect would have opened a new one.
      expect(await appConnections()).toBe(0);
    } finally {
      await t?.close();
      restore();
    }
  });

  it('disconnects the database only after the jobs have stopped: no job fails on, or reopens, a closed pool', async () => {
    const restore = applyEnv({
      DATABASE_URL: db.url,
      SCHEDULER_ENABLED: 'true',
      OUTBOX_INTERVAL_MS: '50',
      EXPIRY_INTERVAL_SECONDS: '1',
      PAYMENT_RECOVERY_INTERVAL_SECONDS: '1',
    });
    const support = await import('./support/test-app.js');
    const { Logger } = await import('@nestjs/common');
    const errors: string[] = [];
    const spy = Logger.prototype.error;
    Logger.prototype.error = function (this: unknown, message: unknown) {
      errors.push(String(message));
    };
    try {
      for (let i = 0; i < 5; i++) {
        const t = await support.startTestApp();
        await sleep(150 + i * 120);
        await t.close();
        expect(await appConnections()).toBe(0);
      }
    } finally {
      Logger.prototype.error = spy;
      restore();
    }
    expect(errors).toEqual([]);
  });
});
