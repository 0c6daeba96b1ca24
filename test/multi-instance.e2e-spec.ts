import { ConfigService } from '@nestjs/config';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { createScratchDatabase, type ScratchDatabase } from './setup/test-database.js';
import { buildApp, startAppProcess, type AppProcess } from './support/app-process.js';
import { createProductWithStock, ledgerViolations } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { pooled, sleep } from './support/helpers.js';
import { nowSeconds } from './provider-simulator/http-kit.js';
import { ProviderSimulator, type SimEvent } from './provider-simulator/provider-simulator.js';

/**
 * Two production processes (node dist/main.js) on one database behind an imaginary load balancer, both running the
 * scheduled jobs (reservation expiry every second, 10 s reservations). A checkout storm and a webhook storm are split
 * between them — every webhook is delivered three times, to both instances at once — and some payments race the
 * expiry job. Afterwards: no oversell, the ledger invariant, every order paid (and its stock sold) at most once, every
 * provider event applied once, every reservation expired once, and the instances' metrics add up to what happened.
 */

const STOCK = 24;
const CHECKOUTS = 60;
const TTL_SECONDS = 10;
const METHODS = ['cod', 'stripe', 'razorpay'] as const;

interface Placed {
  orderId: string;
  method: (typeof METHODS)[number];
  payment: Record<string, any> | null;
  reservationExpiresAt: string | null;
}

/** Sums a counter over both instances' /metrics (all label sets matching `labels`). */
function counter(texts: string[], name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const match = /^(\w+)(?:\{([^}]*)\})? ([\d.e+-]+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const set = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      if (Object.entries(labels).every(([k, v]) => set[k] === v)) total += Number(match[3]);
    }
  }
  return total;
}

describe('two instances on one database', () => {
  let database: ScratchDatabase;
  let prisma: PrismaService;
  let sim: ProviderSimulator;
  const instances: AppProcess[] = [];

  beforeAll(async () => {
    await buildApp();
    database = await createScratchDatabase('orderline_multi');
    prisma = new PrismaService(new ConfigService({ DATABASE_URL: database.url, DB_POOL_SIZE: 4, TX_MAX_ATTEMPTS: 12 }) as any);
    sim = await ProviderSimulator.start();
    const env = {
      ...sim.env(),
      DATABASE_URL: database.url,
      SCHEDULER_ENABLED: 'true',
      EXPIRY_INTERVAL_SECONDS: '1',
      RESERVATION_TTL_SECONDS: String(TTL_SECONDS),
      SEED_DEMO_DATA: 'false',
      RATE_LIMIT_ENABLED: 'false', // the storm comes from one IP
      LOG_LEVEL: 'warn',
      LOG_REQUESTS: 'false',
      DB_POOL_SIZE: '8',
    };
    // Started together: both apply migrations and boot against the same database at once.
    instances.push(...(await Promise.all([startAppProcess(env), startAppProcess(env)])));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(instances.map((app) => app.signal('SIGKILL')));
    await sim?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('keeps every invariant through a checkout storm, a webhook storm and both expiry jobs', async () => {
    const [a, b] = instances;
    const product = await createProductWithStock(prisma, [{ stock: STOCK, priceMinor: 50000 }]);
    const variantId = product.variants[0].id;

    // --- Checkout storm: 60 guests want 24 units, alternating between the instances, a third each cod/stripe/razorpay.
    const responses = await pooled(CHECKOUTS, 12, async (i) => {
      const method = METHODS[i % 3];
      const target = i % 2 ? b : a;
      const res = await fetch(`${target.baseUrl}/orders/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(checkoutBody([{ variantId, quantity: 1 }], { paymentMethod: method })),
      });
      return { status: res.status, body: (await res.json()) as any, method };
    });
    const unexpected = responses.filter((r) => r.status !== 201 && r.status !== 409);
    expect(unexpected).toEqual([]);
    const placed: Placed[] = responses
      .filter((r) => r.status === 201)
      .map((r) => ({
        orderId: r.body.order.id,
        method: r.method,
        payment: r.body.payment,
        reservationExpiresAt: r.body.order.reservationExpiresAt,
      }));
    const soldOut = responses.filter((r) => r.status === 409 && r.body.details?.lines).length;
    const conflicts = responses.filter((r) => r.status === 409 && !r.body.details?.lines).length;
    expect(placed.length + soldOut + conflicts).toBe(CHECKOUTS);
    // Demand exceeds stock, so every unit found a buyer (more than STOCK orders if reservations expired meanwhile).
    if (!conflicts) expect(placed.length).toBeGreaterThanOrEqual(STOCK);

    // --- Webhook storm: pay half of the prepaid orders now; every event goes to A, B and A again, all at once.
    const prepaid = placed.filter((p) => p.method !== 'cod');
    expect(prepaid.every((p) => p.payment)).toBe(true);
    const payNow = prepaid.slice(0, Math.ceil(prepaid.length / 2));
    const racing = prepaid.slice(payNow.length, payNow.length + 3);
    const pay = (p: Placed): SimEvent[] =>
      p.method === 'stripe' ? sim.stripe.pay(p.payment!.paymentIntentId) : sim.razorpay.pay(p.payment!.razorpayOrderId).events;
    const sign = (event: SimEvent): Record<string, string> =>
      event.provider === 'stripe'
        ? { 'stripe-signature': sim.stripe.sign(event.body, nowSeconds()) }
        : { 'x-razorpay-signature': sim.razorpay.sign(event.body), 'x-razorpay-event-id': event.id };
    const deliveries: { event: SimEvent; status: number; duplicate?: boolean }[] = [];
    const deliverToBoth = (events: SimEvent[]) => {
      const sends = events.flatMap((event) => [a, b, a].map((target) => ({ event, target })));
      return pooled(sends.length, 16, async (i) => {
        const { event, target } = sends[i];
        const res = await fetch(`${target.baseUrl}/webhooks/${event.provider}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sign(event) },
          body: event.body,
        });
        const body = (await res.json()) as { duplicate?: boolean };
        deliveries.push({ event, status: res.status, duplicate: body.duplicate });
      });
    };
    await deliverToBoth(payNow.flatMap(pay));

    // --- Payments racing the expiry job: paid just as their reservations run out.
    const firstExpiry = Math.min(...racing.map((r) => Date.parse(r.reservationExpiresAt!)));
    await sleep(Math.max(0, firstExpiry - Date.now() + 300));
    await deliverToBoth(racing.flatMap(pay));

    // --- Both instances' expiry jobs release whatever is still unpaid.
    const deadline = Date.now() + (TTL_SECONDS + 30) * 1000;
    while ((await prisma.order.count({ where: { status: 'PAYMENT_PENDING' } })) > 0) {
      if (Date.now() > deadline) throw new Error('unpaid orders were not expired');
      await sleep(500);
    }
    // Late-payment refunds (if a racing payment lost to the expiry) finish asynchronously.
    await sleep(1_500);

    // No oversell, and the ledger explains every stock level.
    expect(await ledgerViolations(prisma, [variantId])).toEqual([]);
    const level = await prisma.inventoryLevel.findUniqueOrThrow({ where: { variantId } });
    const sold = await prisma.stockMovement.aggregate({ where: { variantId, kind: 'SALE' }, _sum: { onHandDelta: true } });
    const soldUnits = -(sold._sum.onHandDelta ?? 0);
    expect(soldUnits).toBeLessThanOrEqual(STOCK);
    expect(level.onHand).toBe(STOCK - soldUnits);
    expect(level.reserved).toBe(0); // nothing pending any more

    // Every order: paid at most once, stock sold at most once, expired at most once.
    const perOrder = await prisma.$queryRawUnsafe<
      { id: string; status: string; paid: number; sales: number; captured: number; expired: number; refunded: number }[]
    >(`
      SELECT o.id::text, o.status::text,
        (SELECT count(*)::int FROM order_status_history h WHERE h.order_id = o.id AND h.to_status = 'PAID') AS paid,
        (SELECT count(*)::int FROM stock_movements m WHERE m.order_id = o.id AND m.kind = 'SALE') AS sales,
        (SELECT count(*)::int FROM payment_attempts pa WHERE pa.order_id = o.id AND pa.status = 'CAPTURED') AS captured,
        (SELECT count(*)::int FROM order_status_history h WHERE h.order_id = o.id AND h.event = 'EXPIRE') AS expired,
        (SELECT count(*)::int FROM refunds r WHERE r.order_id = o.id AND r.automatic) AS refunded
      FROM orders o`);
    expect(perOrder).toHaveLength(placed.length);
    for (const order of perOrder) {
      expect({
        id: order.id,
        paid: order.paid <= 1,
        sales: order.sales <= 1,
        captured: order.captured <= 1,
        expired: order.expired <= 1,
      }).toEqual({ id: order.id, paid: true, sales: true, captured: true, expired: true });
      // Money taken is either an order paid (and sold) once, or refunded automatically.
      if (order.captured) expect(order.status === 'PAID' ? order.sales : order.refunded).toBe(1);
    }
    const byId = new Map(perOrder.map((o) => [o.id, o]));
    for (const p of placed.filter((x) => x.method === 'cod'))
      expect(byId.get(p.orderId)).toMatchObject({ status: 'CONFIRMED', sales: 1, paid: 0 });
    // Paid orders were sold once, or (paid after their reservation expired, with the stock gone) refunded.
    for (const p of [...payNow, ...racing]) {
      const order = byId.get(p.orderId)!;
      expect(order.captured).toBe(1);
      expect(order.status === 'PAID' ? { sales: order.sales, paid: order.paid } : { refunded: order.refunded }).toEqual(
        order.status === 'PAID' ? { sales: 1, paid: 1 } : { refunded: 1 },
      );
    }
    for (const p of prepaid.filter((x) => !payNow.includes(x) && !racing.includes(x))) {
      expect(byId.get(p.orderId)).toMatchObject({ status: 'EXPIRED', sales: 0, paid: 0, captured: 0, expired: 1 });
    }

    // Every provider event stored once and applied once, whichever instance got it first.
    expect(deliveries.every((d) => d.status === 200)).toBe(true);
    const eventIds = [...new Set(deliveries.map((d) => `${d.event.provider}:${d.event.id}`))];
    for (const key of eventIds) {
      expect(deliveries.filter((d) => `${d.event.provider}:${d.event.id}` === key && d.duplicate === false)).toHaveLength(1);
    }
    expect(await prisma.webhookEvent.count()).toBe(eventIds.length);

    // Both instances did part of the work, and their metrics add up to the database's account of it.
    const metrics = await Promise.all(instances.map(async (app) => (await fetch(`${app.baseUrl}/metrics`)).text()));
    for (const text of metrics) expect(counter([text], 'orderline_checkouts_total')).toBeGreaterThan(0);
    expect(counter(metrics, 'orderline_checkouts_total', { outcome: 'created' })).toBe(STOCK);
    expect(counter(metrics, 'orderline_checkouts_total', { outcome: 'sold_out' })).toBe(soldOut);
    expect(counter(metrics, 'orderline_checkouts_total', { outcome: 'conflict' })).toBe(conflicts);
    expect(counter(metrics, 'orderline_webhook_events_total', { result: 'applied' })).toBe(eventIds.length);
    expect(counter(metrics, 'orderline_webhook_events_total', { result: 'duplicate' })).toBe(deliveries.length - eventIds.length);
    const expiredInDb = perOrder.reduce((sum, o) => sum + o.expired, 0);
    expect(counter(metrics, 'orderline_reservations_expired_total')).toBe(expiredInDb);
    expect(counter(metrics, 'orderline_order_transitions_total', { from: 'PAYMENT_PENDING', to: 'EXPIRED' })).toBe(expiredInDb);
    expect(counter(metrics, 'orderline_order_transitions_total', { to: 'PAID' })).toBe(perOrder.reduce((sum, o) => sum + o.paid, 0));

    // And both stop cleanly.
    expect(await Promise.all(instances.map((app) => app.signal('SIGTERM')))).toEqual([0, 0]);
  }, 240_000);
});
