import type pg from 'pg';
import { createProductWithStock } from '../support/fixtures.js';
import { startPaymentsHarness, type PaymentsHarness } from '../support/payments-harness.js';
import type { SimEvent } from '../provider-simulator/provider-simulator.js';
import { checkerPool } from '../support/database.js';
import { stockAndOrderProblems } from '../support/invariants.js';
import { pooled } from '../support/load.js';
import { scaled } from '../support/scale.js';

/** What happens to an order at the provider, by order index. */
type Story = 'paid' | 'paid-after-failure' | 'failed' | 'paid-then-refunded';
const STORIES: Story[] = ['paid', 'paid', 'paid-after-failure', 'failed', 'paid-then-refunded'];

interface StormOrder {
  id: string;
  provider: 'stripe' | 'razorpay';
  story: Story;
  variantId: string;
  quantity: number;
  totalMinor: number;
  providerRef: string;
  events: SimEvent[];
}

const uniqueEvents = (plan: { event: SimEvent }[]) => [...new Map(plan.map((d) => [d.event.id, d.event])).values()];
const eventIdsOf = (plan: { event: SimEvent }[]) => uniqueEvents(plan).map((e) => e.id);

/** Deterministic shuffling, so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('webhook storm: duplicates, reordering and concurrent redelivery from both providers', () => {
  let h: PaymentsHarness;
  let db: pg.Pool;
  /** "please retry" answers during the storm (reported, not a failure: the provider redelivers). */
  let retryAnswers: Record<number, number> | undefined;

  beforeAll(async () => {
    h = await startPaymentsHarness();
    db = checkerPool();
  });

  afterAll(async () => {
    if (retryAnswers)
      process.stderr.write(`webhook storm: ${JSON.stringify(retryAnswers)} deliveries answered "please retry" and were redelivered\n`);
    await db?.end();
    await h?.close();
  });

  it('ends every order in the right state with money and stock counted exactly once', async () => {
    const stock = 10_000;
    const product = await createProductWithStock(
      h.t.prisma,
      Array.from({ length: 6 }, () => ({ stock })),
    );
    const variants = product.variants.map((v) => v.id);
    const count = scaled(250);

    // Checkout: prepaid orders, half Stripe, half Razorpay, each with its provider payment object in the simulator.
    const orders: StormOrder[] = await pooled(count, 8, async (i) => {
      const provider = i % 2 ? 'razorpay' : 'stripe';
      const variantId = variants[i % variants.length];
      const quantity = 1 + (i % 3);
      const order = {
        items: [{ variantId, quantity }],
        contact: { name: `Webhook Storm ${i}`, email: `webhook-storm-${i}@example.com`, phone: '+919800000005' },
        shippingAddress: { line1: `${i} Webhook Way`, city: 'Chennai', postalCode: '600001', country: 'IN' },
        paymentMethod: provider,
      };
      // As a shop's client would: a 409 "conflicted with concurrent updates, please retry" is retried.
      let res = await h.t.http.post('/orders/checkout').send(order);
      for (let retry = 0; res.status === 409 && /please retry/.test(res.body?.message) && retry < 5; retry++)
        res = await h.t.http.post('/orders/checkout').send(order);
      expect({ status: res.status, body: res.status === 201 ? undefined : res.body }).toEqual({ status: 201, body: undefined });
      const providerRef = provider === 'stripe' ? res.body.payment.paymentIntentId : res.body.payment.razorpayOrderId;
      expect(providerRef).toEqual(expect.any(String));
      return {
        id: res.body.order.id,
        provider,
        story: STORIES[Math.floor(i / 2) % STORIES.length],
        variantId,
        quantity,
        totalMinor: res.body.order.totalMinor,
        providerRef,
        events: [],
      };
    });

    // What the customers and staff do at the providers; each step emits the provider's webhooks.
    for (const order of orders) {
      const pay = (outcome: 'ok' | 'fail') =>
        order.provider === 'stripe'
          ? h.sim.stripe.pay(order.providerRef, { outcome: outcome === 'ok' ? 'succeeded' : 'failed' })
          : h.sim.razorpay.pay(order.providerRef, { outcome: outcome === 'ok' ? 'captured' : 'failed' }).events;
      if (order.story === 'paid-after-failure' || order.story === 'failed') order.events.push(...pay('fail'));
      if (order.story !== 'failed') order.events.push(...pay('ok'));
      if (order.story === 'paid-then-refunded') {
        const refund =
          order.provider === 'stripe'
            ? h.sim.stripe.dashboardRefund(order.providerRef)
            : h.sim.razorpay.dashboardRefund(
                [...h.sim.razorpay.payments.values()].find((p) => p.order_id === order.providerRef && p.status === 'captured')!.id,
              );
        order.events.push(...refund);
      }
    }

    // Deliveries: every event 1 to 3 times, every seventh 5 times at once, all orders interleaved in a shuffled order.
    const deliveries = orders.flatMap((order, i) =>
      order.events.map((event, k) => ({ event, times: (i + k) % 7 === 0 ? 5 : 1 + ((i * 31 + k) % 3) })),
    );
    const plan = shuffled(deliveries, 20261126);
    const total = plan.reduce((n, d) => n + d.times, 0);
    expect(total).toBeGreaterThanOrEqual(scaled(1_000));
    const results = (
      await pooled(plan.length, 16, (i) => h.sim.deliver(plan[i].event, { times: plan[i].times, concurrently: true }))
    ).flat();
    // Acknowledged (200), or "please retry" — 409 when concurrent copies kept conflicting, 503 when every database
    // connection stayed busy — after which the provider delivers again. Nothing else: no 500, no rejection.
    const retryLater = (r: { status: number; body: any }) =>
      (r.status === 409 && /conflicted with concurrent updates/.test(r.body?.message)) ||
      (r.status === 503 && /retry/.test(r.body?.message));
    expect(results.filter((r) => r.status !== 200 && !retryLater(r)).slice(0, 3)).toEqual([]);
    for (const r of results.filter(retryLater)) (retryAnswers ??= {})[r.status] = (retryAnswers[r.status] ?? 0) + 1;
    // The provider's retry after the storm: every event once more, one at a time; all are acknowledged now.
    const retries = await pooled(eventIdsOf(plan).length, 4, (i) => h.sim.deliver(uniqueEvents(plan)[i]));
    expect(retries.flat().filter((r) => r.status !== 200)).toEqual([]);

    // Every event was recorded once and processed.
    const eventIds = eventIdsOf(plan);
    const recorded = await db.query<{ n: number; processed: number }>(
      `SELECT count(*)::int AS n, count(processed_at)::int AS processed FROM webhook_events WHERE event_id = ANY($1)`,
      [eventIds],
    );
    expect(recorded.rows[0]).toEqual({ n: eventIds.length, processed: eventIds.length });

    // Per order: state, history, money and stock.
    const ids = orders.map((o) => o.id);
    const { rows } = await db.query(
      `SELECT o.id::text, o.status, o.needs_review, o.total_minor,
              (SELECT count(*) FROM order_status_history h WHERE h.order_id = o.id AND h.event = 'PAYMENT_SUCCEEDED')::int AS paid_entries,
              (SELECT count(*) FROM order_status_history h WHERE h.order_id = o.id AND h.event = 'REFUND_FULL')::int AS refund_entries,
              (SELECT count(*) FROM payment_attempts a WHERE a.order_id = o.id AND a.status = 'CAPTURED')::int AS captures,
              (SELECT coalesce(sum(amount_minor), 0) FROM payment_attempts a
                WHERE a.order_id = o.id AND a.status = 'CAPTURED' AND a.error_code IS NULL)::int AS paid_minor,
              (SELECT count(*) FROM payment_attempts a WHERE a.order_id = o.id AND a.status = 'FAILED')::int AS failures,
              (SELECT coalesce(sum(amount_minor), 0) FROM refunds r WHERE r.order_id = o.id AND r.status = 'SUCCEEDED')::int AS refunded_minor,
              (SELECT count(*) FROM refunds r WHERE r.order_id = o.id)::int AS refunds,
              (SELECT count(*) FROM stock_movements m WHERE m.order_id = o.id AND m.kind = 'SALE')::int AS sales,
              (SELECT count(*) FROM stock_movements m WHERE m.order_id = o.id AND m.kind = 'RESTOCK')::int AS restocks
       FROM orders o WHERE o.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const expected = (o: StormOrder) => {
      const paid = o.story !== 'failed';
      const refunded = o.story === 'paid-then-refunded';
      return {
        id: o.id,
        story: o.story,
        status: refunded ? 'REFUNDED' : paid ? 'PAID' : 'PAYMENT_PENDING',
        needs_review: false,
        paid_entries: paid ? 1 : 0,
        refund_entries: refunded ? 1 : 0,
        captures: paid ? 1 : 0,
        paid_minor: paid ? o.totalMinor : 0,
        failures: o.story === 'paid-after-failure' || o.story === 'failed' ? 1 : 0,
        refunded_minor: refunded ? o.totalMinor : 0,
        refunds: refunded ? 1 : 0,
        sales: paid ? 1 : 0,
        restocks: refunded ? 1 : 0,
      };
    };
    const actual = (o: StormOrder) => {
      const { total_minor: _total, ...r } = byId.get(o.id);
      return { ...r, story: o.story };
    };
    const wrong = orders.filter(
      (o) => JSON.stringify(Object.entries(actual(o)).sort()) !== JSON.stringify(Object.entries(expected(o)).sort()),
    );
    expect(wrong.slice(0, 5).map((o) => ({ actual: actual(o), expected: expected(o) }))).toEqual([]);

    // Stock: sold once for the paid, reserved for the unpaid, back on the shelf for the refunded.
    for (const variantId of variants) {
      const mine = orders.filter((o) => o.variantId === variantId);
      const units = (stories: Story[]) => mine.filter((o) => stories.includes(o.story)).reduce((n, o) => n + o.quantity, 0);
      const level = await db.query(`SELECT on_hand, reserved FROM inventory_levels WHERE variant_id = $1`, [variantId]);
      expect({ variantId, ...level.rows[0] }).toEqual({
        variantId,
        on_hand: stock - units(['paid', 'paid-after-failure']),
        reserved: units(['failed']),
      });
    }
    expect(await stockAndOrderProblems(db, ids, variants)).toEqual([]);
  });
});
