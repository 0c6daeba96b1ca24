import { randomUUID } from 'node:crypto';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock, ledgerViolations, inventoryLevel } from './support/fixtures.js';
import { checkoutBody, type CheckoutLine } from './support/checkout.js';
import { ReservationExpiryJob } from '../src/orders/reservation-expiry.job.js';

type TestAppModule = typeof import('./support/test-app.js');

/**
 * The job expires every due order in its database, so this file runs on its own database (a shared one would have
 * other files' unpaid orders expired under them). The app module reads its environment when first imported, so
 * test-app is only imported (dynamically) once the isolated environment is set. A batch size of 7 makes every run
 * several batches, two at a time (EXPIRY_CONCURRENCY).
 */
describe('reservation expiry job', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let second: TestApp;
  let bearer: TestAppModule['bearer'];
  let registerCustomer: TestAppModule['registerCustomer'];
  beforeAll(async () => {
    isolated = await startIsolatedTestApp({ EXPIRY_BATCH_SIZE: '7', EXPIRY_CONCURRENCY: '2', RESERVATION_TTL_SECONDS: '60' });
    t = isolated.t;
    const testApp = await import('./support/test-app.js');
    ({ bearer, registerCustomer } = testApp);
    // A second instance of the app on the same database, as when several instances run the job.
    second = await testApp.startTestApp();
    for (const app of [t, second]) {
      const [{ db }] = await app.prisma.$queryRaw<{ db: string }[]>`SELECT current_database() AS db`;
      expect(db).toMatch(/^orderline_iso_/);
    }
  });
  afterAll(async () => {
    await second?.close();
    await isolated?.close();
  });

  const job = (app: TestApp) => app.app.get(ReservationExpiryJob);
  const prepaid = async (items: CheckoutLine[], token?: string) => {
    const req = t.http.post('/orders/checkout');
    if (token) req.set(bearer(token));
    return (await req.send(checkoutBody(items, { paymentMethod: 'stripe' })).expect(201)).body.order;
  };

  it('expires an unpaid order only once its reservation time has passed, releasing the stock once', async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const variantId = product.variants[0].id;
    const order = await prepaid([{ variantId, quantity: 2 }], customer.token);
    const expiresAt = new Date(order.reservationExpiresAt);
    expect(expiresAt.getTime() - new Date(order.createdAt).getTime()).toBeGreaterThanOrEqual(59_000);

    expect(await job(t).expireDue(new Date(expiresAt.getTime() - 1))).toBe(0);
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 3, reserved: 2 });

    expect(await job(t).expireDue(expiresAt)).toBe(1);
    expect(await job(t).expireDue(new Date(expiresAt.getTime() + 3_600_000))).toBe(0);
    const stored = await t.prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(stored).toMatchObject({ status: 'EXPIRED', reservationExpiresAt: null });
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 3, reserved: 0 });
    const moves = await t.prisma.stockMovement.findMany({ where: { orderId: order.id }, orderBy: { id: 'asc' } });
    expect(moves.map((m) => [m.kind, m.reservedDelta, m.actorId])).toEqual([
      ['RESERVATION', 2, customer.id],
      ['RELEASE', -2, 'system'],
    ]);
    const history = await t.prisma.orderStatusHistory.findMany({ where: { orderId: order.id }, orderBy: { id: 'asc' } });
    expect(history.at(-1)).toMatchObject({
      fromStatus: 'PAYMENT_PENDING',
      toStatus: 'EXPIRED',
      event: 'EXPIRE',
      reason: 'reservation expired',
      actorType: 'SYSTEM',
    });
    const audit = await t.prisma.auditLog.findFirstOrThrow({ where: { entityId: order.id, action: 'order.expire' } });
    expect(audit).toMatchObject({
      actorType: 'SYSTEM',
      before: { status: 'PAYMENT_PENDING' },
      after: { status: 'EXPIRED', reason: 'reservation expired' },
    });
    expect(await ledgerViolations(t.prisma, [variantId])).toEqual([]);

    const cancel = await t.http.post(`/orders/${order.id}/cancel`).set(bearer(customer.token)).send({}).expect(409);
    expect(cancel.body.details).toEqual({ currentStatus: 'EXPIRED', event: 'CANCEL' });
    // The released units can be bought again.
    await prepaid([{ variantId, quantity: 3 }]);
  });

  it('releases every reservation exactly once when runs on two instances overlap', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 40 }, { stock: 40 }, { stock: 40 }]);
    const [a, b, c] = product.variants.map((v) => v.id);
    const carts: CheckoutLine[][] = Array.from({ length: 45 }, (_, i) =>
      i % 3 === 0
        ? [{ variantId: a, quantity: 1 }]
        : i % 3 === 1
          ? [
              { variantId: c, quantity: 1 },
              { variantId: b, quantity: 1 },
            ]
          : [
              { variantId: b, quantity: 1 },
              { variantId: a, quantity: 1 },
              { variantId: c, quantity: 1 },
            ],
    );
    const orders: { id: string }[] = [];
    for (const cart of carts) orders.push(await prepaid(cart));
    expect(await inventoryLevel(t.prisma, a)).toMatchObject({ reserved: 30 });

    const later = new Date(Date.now() + 3_600_000);
    const due = await t.prisma.order.count({ where: { status: 'PAYMENT_PENDING', reservationExpiresAt: { lte: later } } });
    expect(due).toBeGreaterThanOrEqual(orders.length);
    const runs = await Promise.all([
      job(t).expireDue(later),
      job(second).expireDue(later),
      job(t).expireDue(later),
      job(second).expireDue(later),
    ]);
    expect(runs.reduce((sum, n) => sum + n, 0)).toBe(due);

    for (const id of [a, b, c]) expect(await inventoryLevel(t.prisma, id)).toMatchObject({ onHand: 40, reserved: 0 });
    const ids = orders.map((o) => o.id);
    expect(await t.prisma.order.count({ where: { id: { in: ids }, status: 'EXPIRED' } })).toBe(orders.length);
    const releases = await t.prisma.stockMovement.groupBy({
      by: ['orderId'],
      where: { orderId: { in: ids }, kind: 'RELEASE' },
      _count: true,
    });
    const itemCounts = new Map(orders.map((o, i) => [o.id, carts[i].length]));
    expect(releases).toHaveLength(orders.length);
    for (const r of releases) expect(r._count).toBe(itemCounts.get(r.orderId!));
    expect(await t.prisma.orderStatusHistory.count({ where: { orderId: { in: ids }, event: 'EXPIRE' } })).toBe(orders.length);
    expect(await t.prisma.auditLog.count({ where: { entityId: { in: ids }, action: 'order.expire' } })).toBe(orders.length);
    expect(await ledgerViolations(t.prisma, [a, b, c])).toEqual([]);
  });

  it("releases a hot variant's reservations once each when one run's batches wait on each other's stock row", async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 50 }]);
    const variantId = product.variants[0].id;
    const orders: { id: string }[] = [];
    for (let i = 0; i < 30; i++) orders.push(await prepaid([{ variantId, quantity: 1 }]));
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 50, reserved: 30 });

    const later = new Date(Date.now() + 3_600_000);
    const due = await t.prisma.order.count({ where: { status: 'PAYMENT_PENDING', reservationExpiresAt: { lte: later } } });
    // Every batch of this run releases the same inventory row: its lanes take turns on it (READ COMMITTED waits for
    // the other lane's commit where Serializable aborted), and none releases an order twice.
    expect(await job(t).expireDue(later)).toBe(due);

    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 50, reserved: 0 });
    const ids = orders.map((o) => o.id);
    expect(await t.prisma.order.count({ where: { id: { in: ids }, status: 'EXPIRED' } })).toBe(orders.length);
    expect(await t.prisma.stockMovement.count({ where: { orderId: { in: ids }, kind: 'RELEASE' } })).toBe(orders.length);
    const announced = await t.prisma.outboxMessage.groupBy({
      by: ['aggregateId'],
      where: { aggregateId: { in: ids }, event: 'order.expired' },
    });
    expect(announced).toHaveLength(orders.length);
    expect(await ledgerViolations(t.prisma, [variantId])).toEqual([]);
  });

  it('never expires an order whose payment was captured, nor orders that are not awaiting payment', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 10 }]);
    const variantId = product.variants[0].id;
    const captured = await prepaid([{ variantId, quantity: 1 }]);
    const failedOnly = await prepaid([{ variantId, quantity: 1 }]);
    const mismatched = await prepaid([{ variantId, quantity: 1 }]);
    const attempt = (orderId: string, status: 'CAPTURED' | 'FAILED', errorCode?: string) =>
      t.prisma.paymentAttempt.create({
        data: {
          orderId,
          provider: 'STRIPE',
          providerPaymentId: `pi_${randomUUID()}`,
          status,
          amountMinor: 10000,
          currency: 'INR',
          errorCode,
          ...(status === 'CAPTURED' && { capturedAt: new Date() }),
        },
      });
    await attempt(captured.id, 'CAPTURED');
    await attempt(failedOnly.id, 'FAILED');
    // A capture flagged for review did not pay for the order: it must not hold the stock forever.
    await attempt(mismatched.id, 'CAPTURED', 'AMOUNT_MISMATCH');
    const cod = (
      await t.http
        .post('/orders/checkout')
        .send(checkoutBody([{ variantId, quantity: 1 }]))
        .expect(201)
    ).body.order;
    const paid = await prepaid([{ variantId, quantity: 1 }]);
    await t.prisma.order.update({ where: { id: paid.id }, data: { status: 'PAID' } });

    await job(t).expireDue(new Date(Date.now() + 3_600_000));
    const status = async (id: string) => (await t.prisma.order.findUniqueOrThrow({ where: { id } })).status;
    expect(await status(captured.id)).toBe('PAYMENT_PENDING');
    expect(await status(failedOnly.id)).toBe('EXPIRED');
    expect(await status(mismatched.id)).toBe('EXPIRED');
    expect(await status(cod.id)).toBe('CONFIRMED');
    expect(await status(paid.id)).toBe('PAID');
    // The failed and flagged orders' units came back; the captured one stays held for payment processing.
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 9, reserved: 2 });
    expect(await t.prisma.stockMovement.count({ where: { orderId: captured.id, kind: 'RELEASE' } })).toBe(0);
  });

  it('picks up orders a crashed run left behind (its transaction rolled back)', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const variantId = product.variants[0].id;
    const order = await prepaid([{ variantId, quantity: 1 }]);
    const later = new Date(Date.now() + 3_600_000);
    // A run that dies mid-batch: it holds the row lock, then its transaction is gone without a commit.
    await t.prisma
      .$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM orders WHERE id = ${order.id}::uuid FOR UPDATE`;
        expect(await job(second).expireDue(later)).toBe(0); // skipped, not waited for
        throw new Error('crash');
      })
      .catch((error: unknown) => expect((error as Error).message).toBe('crash'));
    expect(await job(second).expireDue(later)).toBe(1);
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 5, reserved: 0 });
  });
});
