import { createAdmin, registerCustomer, bearer, type TestApp } from './support/test-app.js';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

/** Counts across the whole brand: on a database of its own, so orders of test files running alongside do not count. */
describe('overview (console first screen)', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let admin: { token: string; id: string };
  beforeAll(async () => {
    isolated = await startIsolatedTestApp({});
    t = isolated.t;
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await isolated.close();
  });

  const overview = async (since?: string) =>
    (
      await t.http
        .get(`/admin/overview${since ? `?since=${encodeURIComponent(since)}` : ''}`)
        .set(bearer(admin.token))
        .expect(200)
    ).body as {
      ordersToday: number;
      revenueToday: { currency: string; amountMinor: number }[];
      pendingFulfilment: number;
      lowStock: number;
      failedDeliveries: number;
    };

  it("counts today's orders and cash collected, orders to fulfil, low stock and failed deliveries as they change", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const before = await overview(since);
    const product = await createProductWithStock(t.prisma, [{ stock: 7, priceMinor: 25000 }]);
    await t.prisma.variant.update({ where: { id: product.variants[0].id }, data: { lowStockThreshold: 5 } });
    const place = async () =>
      (
        await t.http
          .post('/orders/checkout')
          .send(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]))
          .expect(201)
      ).body.order as {
        id: string;
      };
    const [a] = [await place(), await place()];
    let now = await overview(since);
    expect(now.ordersToday - before.ordersToday).toBe(2);
    expect(now.pendingFulfilment - before.pendingFulfilment).toBe(2);
    // 7 − 2 = 5 available: at the threshold, low.
    expect(now.lowStock - before.lowStock).toBe(1);

    await t.http.post(`/orders/${a.id}/fulfill`).set(bearer(admin.token)).send({}).expect(200);
    await t.http.post(`/orders/${a.id}/deliver`).set(bearer(admin.token)).send({}).expect(200);
    await t.prisma.outboxMessage.create({
      data: { event: 'order.paid', aggregateId: a.id, destination: 'channel:log', payload: {}, status: 'FAILED' },
    });
    now = await overview(since);
    expect(now.pendingFulfilment - before.pendingFulfilment).toBe(1);
    const inr = (o: typeof now) => o.revenueToday.find((r) => r.currency === 'INR')?.amountMinor ?? 0;
    expect(inr(now) - inr(before)).toBe(25000);
    expect(now.failedDeliveries - before.failedDeliveries).toBe(1);
    // Nothing counted from a day that has not started.
    expect((await overview('2099-01-01T00:00:00Z')).ordersToday).toBe(0);
  });

  it('is for staff only and checks its input', async () => {
    const customer = await registerCustomer(t);
    await t.http.get('/admin/overview').set(bearer(customer.token)).expect(403);
    await t.http.get('/admin/overview?since=yesterday').set(bearer(admin.token)).expect(400);
  });
});
