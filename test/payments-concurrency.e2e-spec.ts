import type pg from 'pg';
import { createProductWithStock } from './support/fixtures.js';
import { checkout, startPaymentsHarness, type CheckoutResult, type PaymentsHarness } from './support/payments-harness.js';
import type { SimEvent } from './provider-simulator/provider-simulator.js';
import { checkerPool } from './support/database.js';
import { stockAndOrderProblems } from './support/invariants.js';
import { pooled } from './support/load.js';

/**
 * Payment transactions run at READ COMMITTED (PaymentTransactions): many orders' capture webhooks at once, each as two
 * events for one payment (Razorpay payment.captured and order.paid) delivered several times concurrently, must pay
 * every order exactly once, with one capture, one sale and the money counted once.
 */
describe('payment webhooks of many orders at once (READ COMMITTED, 16 payment transactions at a time)', () => {
  let h: PaymentsHarness;
  let db: pg.Pool;
  const previous = process.env.PAYMENT_TX_CONCURRENCY;

  beforeAll(async () => {
    process.env.PAYMENT_TX_CONCURRENCY = '16';
    h = await startPaymentsHarness();
    db = checkerPool();
  });

  afterAll(async () => {
    if (previous === undefined) delete process.env.PAYMENT_TX_CONCURRENCY;
    else process.env.PAYMENT_TX_CONCURRENCY = previous;
    await db?.end();
    await h?.close();
  });

  it('pays each order once, however many deliveries of its events race each other and other orders', async () => {
    const stock = 1_000;
    const product = await createProductWithStock(
      h.t.prisma,
      Array.from({ length: 3 }, () => ({ stock, priceMinor: 49900, currency: 'INR' })),
    );
    const variants = product.variants.map((v) => v.id);
    const count = 40;
    const orders: (CheckoutResult & { variantId: string; quantity: number; events: SimEvent[] })[] = await pooled(count, 4, async (i) => {
      const variantId = variants[i % variants.length];
      const quantity = 1 + (i % 2);
      const order = await checkout(h, variantId, 'razorpay', quantity);
      const { events } = h.sim.razorpay.pay(order.payment!.razorpayOrderId as string);
      return { ...order, variantId, quantity, events };
    });

    // Every event of every order three times, interleaved, all at once; a "please retry" answer is redelivered.
    let pending = orders.flatMap((o) => o.events.flatMap((event) => [event, event, event]));
    pending = pending
      .map((event, i) => ({ event, key: (i * 7919) % pending.length }))
      .sort((a, b) => a.key - b.key)
      .map((d) => d.event);
    for (let round = 0; pending.length && round < 5; round++) {
      const results = await Promise.all(pending.map(async (event) => ({ event, result: (await h.sim.deliver(event))[0] })));
      pending = results.filter((r) => r.result.status !== 200).map((r) => r.event);
    }
    expect(pending).toEqual([]);

    const ids = orders.map((o) => o.orderId);
    const { rows } = await db.query<{
      id: string;
      status: string;
      total: number;
      captures: number;
      sales: number;
      paid: number;
      refunds: number;
      successes: number;
    }>(
      `SELECT o.id::text, o.status::text, o.total_minor AS total,
              (SELECT count(*)::int FROM payment_attempts a WHERE a.order_id = o.id AND a.status = 'CAPTURED') AS captures,
              (SELECT count(*)::int FROM stock_movements m WHERE m.order_id = o.id AND m.kind = 'SALE') AS sales,
              (SELECT t.applied_minor FROM order_payment_totals t WHERE t.order_id = o.id) AS paid,
              (SELECT count(*)::int FROM refunds r WHERE r.order_id = o.id) AS refunds,
              (SELECT count(*)::int FROM order_status_history hs WHERE hs.order_id = o.id AND hs.event = 'PAYMENT_SUCCEEDED') AS successes
       FROM orders o WHERE o.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toHaveLength(count);
    for (const row of rows)
      expect(row).toEqual({
        id: row.id,
        status: 'PAID',
        total: row.total,
        captures: 1,
        sales: 1,
        paid: row.total,
        refunds: 0,
        successes: 1,
      });
    const events = orders.flatMap((o) => o.events.map((e) => e.id));
    const stored = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events WHERE event_id = ANY($1::text[])`, [
      events,
    ]);
    expect(stored.rows[0].n).toBe(events.length);
    for (const variantId of variants) {
      const sold = orders.filter((o) => o.variantId === variantId).reduce((sum, o) => sum + o.quantity, 0);
      const level = await h.t.prisma.inventoryLevel.findUniqueOrThrow({ where: { variantId } });
      expect({ onHand: level.onHand, reserved: level.reserved }).toEqual({ onHand: stock - sold, reserved: 0 });
    }
    expect(await stockAndOrderProblems(db, ids, variants)).toEqual([]);
  });
});
