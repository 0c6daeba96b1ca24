import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock, ledgerViolations } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { ReservationExpiryJob } from '../src/orders/reservation-expiry.job.js';
import { OrderTransitionsService } from '../src/orders/order-transitions.service.js';
import { SYSTEM_ACTOR } from '../src/common/actor.js';

type TestAppModule = typeof import('./support/test-app.js');

/**
 * A drop's per-customer limit counts what the customer keeps: a cancelled or expired order (the expiry job's set-based
 * path) gives its units back, a late payment counts them again, and the limit still holds when give-backs and parallel
 * checkouts of one customer interleave. Its own database: the expiry job expires every due order it finds.
 */
describe('Drop limits follow the order', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let bearer: TestAppModule['bearer'];
  let admin: { token: string };
  beforeAll(async () => {
    // The per-phone rate limit would refuse the parallel taps of one phone before the drop's own limit is reached.
    isolated = await startIsolatedTestApp({
      DROP_RATE_LIMIT_PER_PHONE: '1000',
      DROP_RATE_LIMIT_PER_IP: '100000',
      RESERVATION_TTL_SECONDS: '60',
    });
    t = isolated.t;
    const testApp = await import('./support/test-app.js');
    bearer = testApp.bearer;
    admin = await testApp.createAdmin(t);
  });
  afterAll(() => isolated?.close());

  /** A drop open now, limit 2 per customer, of a product with two variants of 50 units. */
  const openDrop = async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 50 }, { stock: 50 }]);
    const res = await t.http
      .post('/admin/drops')
      .set(bearer(admin.token))
      .send({ name: 'Limit 2', startsAt: new Date(Date.now() - 1000).toISOString(), productIds: [product.id], perCustomerLimit: 2 });
    expect(res.status).toBe(201);
    return { dropId: res.body.id as string, variants: product.variants.map((v) => v.id) };
  };
  /** Prepaid checkout (the order waits for payment, holding its units) of one customer, identified by phone. */
  const buy = (phone: string, variantId: string, quantity: number) => {
    const body = checkoutBody([{ variantId, quantity }], { paymentMethod: 'stripe' });
    return t.http.post('/orders/checkout').send({ ...body, contact: { ...body.contact, phone } });
  };
  const counted = async (dropId: string, phone: string) =>
    (await t.prisma.dropPurchaseCount.findFirst({ where: { dropId, customerKey: `phone:${phone.slice(-10)}`, scope: 'drop' } }))?.quantity;

  it('gives a cancelled order’s units back, and an expired one’s, so the customer can buy again up to the limit', async () => {
    const { dropId, variants } = await openDrop();
    const phone = '+919822200001';
    const first = await buy(phone, variants[0], 2);
    expect(first.status).toBe(201);
    const refused = await buy(phone, variants[1], 1);
    expect(refused.status).toBe(409);
    expect(refused.body.details).toMatchObject({ code: 'DROP_LIMIT', scope: 'drop', limit: 2 });

    // The customer cancels (guest order token): both units are theirs again, and a second cancel gives nothing more.
    await t.http.post(`/orders/${first.body.order.id}/cancel`).set('x-order-token', first.body.guestToken).send({}).expect(200);
    expect(await counted(dropId, phone)).toBe(0);
    await t.http.post(`/orders/${first.body.order.id}/cancel`).set('x-order-token', first.body.guestToken).send({}).expect(409);
    expect(await counted(dropId, phone)).toBe(0);

    const second = await buy(phone, variants[1], 2);
    expect(second.status).toBe(201);
    expect((await buy(phone, variants[0], 1)).status).toBe(409);

    // The reservation runs out: the expiry job (set-based, many orders per statement) gives the units back too.
    expect(await t.app.get(ReservationExpiryJob).expireDue(new Date(Date.now() + 3_600_000))).toBeGreaterThanOrEqual(1);
    expect(await t.prisma.order.findUniqueOrThrow({ where: { id: second.body.order.id } })).toMatchObject({ status: 'EXPIRED' });
    expect(await counted(dropId, phone)).toBe(0);
    expect((await buy(phone, variants[0], 2)).status).toBe(201);
    expect((await buy(phone, variants[0], 1)).status).toBe(409);
    expect(await counted(dropId, phone)).toBe(2);
    expect(await ledgerViolations(t.prisma)).toEqual([]);
  });

  it('counts the units again when a late payment sells an expired order after all', async () => {
    const { dropId, variants } = await openDrop();
    const phone = '+919822200002';
    const order = await buy(phone, variants[0], 2);
    expect(order.status).toBe(201);
    const transitions = t.app.get(OrderTransitionsService);
    await t.prisma.serializable((tx) => transitions.apply(tx, order.body.order.id, 'EXPIRE', { actor: SYSTEM_ACTOR }));
    expect(await counted(dropId, phone)).toBe(0);
    await t.prisma.serializable((tx) => transitions.apply(tx, order.body.order.id, 'LATE_PAYMENT_ACCEPTED', { actor: SYSTEM_ACTOR }));
    expect(await counted(dropId, phone)).toBe(2);
    const refused = await buy(phone, variants[1], 1);
    expect(refused.status).toBe(409);
    expect(refused.body.details).toMatchObject({ code: 'DROP_LIMIT', scope: 'drop' });
  });

  it('holds the limit when cancellations and 30 parallel checkouts of one customer interleave', async () => {
    const { dropId, variants } = await openDrop();
    const phone = '+919822200003';
    const held = [await buy(phone, variants[0], 1), await buy(phone, variants[1], 1)];
    for (const res of held) expect(res.status).toBe(201);

    const [cancels, taps] = await Promise.all([
      Promise.all(held.map((res) => t.http.post(`/orders/${res.body.order.id}/cancel`).set('x-order-token', res.body.guestToken).send({}))),
      Promise.all(Array.from({ length: 30 }, (_, i) => buy(phone, variants[i % 2], 1))),
    ]);
    expect(cancels.map((r) => r.status)).toEqual([200, 200]);
    const statuses = taps.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    // However the give-backs fell among the taps, the customer holds at most 2 units and the counter says exactly how many.
    const live = await t.prisma.order.findMany({
      where: { phone, status: { notIn: ['CANCELLED', 'EXPIRED'] } },
      include: { items: true },
    });
    const units = live.flatMap((o) => o.items).reduce((sum, i) => sum + i.quantity, 0);
    expect(units).toBeLessThanOrEqual(2);
    expect(units).toBe(statuses.filter((s) => s === 201).length);
    expect(await counted(dropId, phone)).toBe(units);
    // What is left of the limit can still be bought, and not a unit more.
    for (let i = units; i < 2; i++) expect((await buy(phone, variants[0], 1)).status).toBe(201);
    expect((await buy(phone, variants[1], 1)).status).toBe(409);
    expect(await counted(dropId, phone)).toBe(2);
    expect(await ledgerViolations(t.prisma)).toEqual([]);
  });
});
