import type pg from 'pg';
import { AppProcess } from '../support/app-process.js';
import { checkerPool, fixturePrisma } from '../support/database.js';
import { stockAndOrderProblems } from '../support/invariants.js';
import { call, pooled, sleep, tally, type Outcome } from '../support/load.js';
import { scaled } from '../support/scale.js';
import { createProductWithStock } from '../support/fixtures.js';
import { ProviderSimulator, type SimEvent } from '../provider-simulator/provider-simulator.js';
import type { PrismaService } from '../../src/prisma/prisma.service.js';

const METHODS = ['cod', 'stripe', 'razorpay'] as const;
const EMAIL_PREFIX = 'crash-storm-';

const checkoutBody = (variantId: string, quantity: number, i: number, method: (typeof METHODS)[number]) => ({
  items: [{ variantId, quantity }],
  contact: { name: `Crash Shopper ${i}`, email: `${EMAIL_PREFIX}${i}@example.com`, phone: '+919800000006' },
  shippingAddress: { line1: `${i} Crash Court`, city: 'Delhi', postalCode: '110001', country: 'IN' },
  paymentMethod: method,
});

describe('crash: SIGKILL in the middle of a checkout storm and a webhook storm', () => {
  let db: pg.Pool;
  let prisma: PrismaService;
  let sim: ProviderSimulator;
  let app: AppProcess;

  beforeAll(async () => {
    db = checkerPool();
    prisma = fixturePrisma();
    sim = await ProviderSimulator.start();
  });

  afterAll(async () => {
    await app?.stop();
    await sim?.stop();
    await prisma?.$disconnect();
    await db?.end();
  });

  /** Webhook delivery that survives the app being dead (the provider would just retry later). */
  async function deliver(event: SimEvent, times: number): Promise<number[]> {
    try {
      return (await sim.deliver(event, { times, concurrently: true })).map((r) => r.status);
    } catch {
      return Array.from({ length: times }, () => 0);
    }
  }

  it('keeps every order whole or absent, leaks no reservation, and applies redelivered webhooks once', async () => {
    const stockPerVariant = 150;
    const product = await createProductWithStock(
      prisma,
      Array.from({ length: 8 }, () => ({ stock: stockPerVariant })),
    );
    const variants = product.variants.map((v) => v.id);
    // The app runs the scheduler (reservation expiry every second); nothing of this test is due before
    // the end, when the test makes its unpaid orders due on purpose.
    const env = { ...sim.env(), SCHEDULER_ENABLED: 'true', EXPIRY_INTERVAL_SECONDS: '1' };
    app = await AppProcess.start({ databaseUrl: process.env.DATABASE_URL!, env });
    sim.targetApp(app.baseUrl);

    // Orders paid at the providers whose webhooks will be in flight when the app dies.
    const paidCount = scaled(120);
    const paid = await pooled(paidCount, 8, async (i) => {
      const method = i % 2 ? 'razorpay' : 'stripe';
      // As a shop's client would: a 409 "conflicted with concurrent updates, please retry" is retried.
      let res = await call(app.baseUrl, 'POST', '/orders/checkout', {
        body: checkoutBody(variants[i % variants.length], 1, 10_000 + i, method),
      });
      for (let retry = 0; res.status === 409 && /please retry/.test(res.body?.message) && retry < 5; retry++) {
        res = await call(app.baseUrl, 'POST', '/orders/checkout', {
          body: checkoutBody(variants[i % variants.length], 1, 10_000 + i, method),
        });
      }
      expect({ status: res.status, body: res.status === 201 ? undefined : res.body }).toEqual({ status: 201, body: undefined });
      const events: SimEvent[] =
        method === 'stripe' ? sim.stripe.pay(res.body.payment.paymentIntentId) : sim.razorpay.pay(res.body.payment.razorpayOrderId).events;
      return { id: res.body.order.id as string, events };
    });
    const webhookEvents = paid.flatMap((p) => p.events);

    // The storm: checkouts and webhook deliveries at once; SIGKILL once a third of the checkouts have answered.
    const planned = scaled(600);
    let answered = 0;
    let answeredAtKill = -1;
    let killed = false;
    const killing = (async () => {
      const latest = Date.now() + 60_000;
      while (answered < planned / 3 && Date.now() < latest) await sleep(5);
      answeredAtKill = answered;
      killed = true;
      await app.kill();
    })();
    const [checkouts, firstDeliveries] = await Promise.all([
      pooled(planned, 24, async (i): Promise<Outcome & { skipped?: boolean }> => {
        if (killed) return { status: -1, body: undefined, ms: 0, skipped: true };
        const outcome = await call(app.baseUrl, 'POST', '/orders/checkout', {
          body: checkoutBody(variants[(i * 7) % variants.length], 1 + (i % 2), i, METHODS[i % METHODS.length]),
        });
        answered++;
        return outcome;
      }),
      pooled(webhookEvents.length, 8, (i) => (killed ? Promise.resolve([]) : deliver(webhookEvents[i], 2))),
    ]);
    await killing;
    // The kill landed mid-storm: checkouts had been answered before it, and more were still to come.
    expect({ answeredAtKill, midStorm: answeredAtKill > 0 && answeredAtKill < planned }).toEqual({ answeredAtKill, midStorm: true });
    const sent = checkouts.filter((o) => !o.skipped);
    const counts = tally(sent);
    // Before the kill: orders or sold-out answers; at the kill: broken connections. Never a 5xx.
    expect({ counts, bad: sent.filter((o) => o.status >= 500 || (o.status > 0 && ![201, 409].includes(o.status))).length }).toEqual({
      counts,
      bad: 0,
    });
    expect(firstDeliveries.flat().filter((s) => s >= 500)).toEqual([]);

    // Restart on the same port: migrations are a no-op, nothing to recover by hand.
    await app.launch();

    const mine = async () =>
      (await db.query<{ id: string }>(`SELECT id::text FROM orders WHERE email LIKE $1`, [`${EMAIL_PREFIX}%`])).rows.map((r) => r.id);
    const before = await mine();
    expect(await stockAndOrderProblems(db, before, variants)).toEqual([]);
    const confirmed = sent.filter((o) => o.status === 201).map((o) => o.body.order.id as string);
    expect(confirmed.filter((id) => !before.includes(id))).toEqual([]);

    // The provider redelivers everything after the crash (twice, concurrently): each payment lands exactly once.
    const redelivered = (await pooled(webhookEvents.length, 8, (i) => deliver(webhookEvents[i], 2))).flat();
    expect(redelivered.filter((s) => s !== 200)).toEqual([]);
    const paidIds = paid.map((p) => p.id);
    const money = await db.query(
      `SELECT o.id::text, o.status,
              (SELECT count(*) FROM stock_movements m WHERE m.order_id = o.id AND m.kind = 'SALE')::int AS sales,
              (SELECT count(*) FROM order_status_history h WHERE h.order_id = o.id AND h.event = 'PAYMENT_SUCCEEDED')::int AS paid_entries,
              (SELECT count(*) FROM payment_attempts a WHERE a.order_id = o.id AND a.status = 'CAPTURED')::int AS captures
       FROM orders o WHERE o.id = ANY($1::uuid[])`,
      [paidIds],
    );
    const wrong = money.rows.filter((r) => r.status !== 'PAID' || r.sales !== 1 || r.paid_entries !== 1 || r.captures !== 1);
    expect({ rows: money.rows.length, wrong: wrong.slice(0, 5) }).toEqual({ rows: paidIds.length, wrong: [] });

    // Orphans (committed, never answered or never paid) expire: every reservation of this test is released.
    await db.query(
      `UPDATE orders SET reservation_expires_at = now() - interval '1 second' WHERE email LIKE $1 AND status = 'PAYMENT_PENDING'`,
      [`${EMAIL_PREFIX}%`],
    );
    const deadline = Date.now() + 30_000;
    let pending = -1;
    while (Date.now() < deadline && pending !== 0) {
      await sleep(250);
      pending = (
        await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE email LIKE $1 AND status = 'PAYMENT_PENDING'`, [
          `${EMAIL_PREFIX}%`,
        ])
      ).rows[0].n;
    }
    expect(pending).toBe(0);

    const after = await mine();
    const orphans = before.filter((id) => !confirmed.includes(id) && !paidIds.includes(id)).length;
    process.stderr.write(
      `crash: killed with ${JSON.stringify(counts)} checkout answers; ${before.length} orders survived, ${orphans} of them never answered\n`,
    );
    expect(await stockAndOrderProblems(db, after, variants)).toEqual([]);
    const levels = await db.query<{ variant_id: string; on_hand: number; reserved: number; sold: number }>(
      `SELECT il.variant_id::text, il.on_hand, il.reserved,
              coalesce((SELECT sum(i.quantity) FROM order_items i JOIN orders o ON o.id = i.order_id
                        WHERE i.variant_id = il.variant_id AND o.status IN ('CONFIRMED', 'PAID')), 0)::int AS sold
       FROM inventory_levels il WHERE il.variant_id = ANY($1::uuid[])`,
      [variants],
    );
    for (const level of levels.rows) {
      expect(level).toEqual({ variant_id: level.variant_id, on_hand: stockPerVariant - level.sold, reserved: 0, sold: level.sold });
    }
  });
});
