import { canTransition, ORDER_EVENTS, ORDER_STATUSES } from '../src/orders/order-state-machine.js';
import { toOrderResponse } from '../src/orders/order-response.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { bearer, createAdmin, startTestApp, type TestApp } from './support/test-app.js';

/** Orders say what can happen next (nextEvents): the console shows only those actions. */
describe('order nextEvents', () => {
  let t: TestApp;
  let admin: { token: string };
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists exactly the events the state machine accepts from each status, in table order', () => {
    const order = { items: [], shippingAddress: {} } as unknown as Parameters<typeof toOrderResponse>[0];
    for (const status of ORDER_STATUSES) {
      const expected = ORDER_EVENTS.filter((event) => canTransition(status, event));
      expect({ status, next: toOrderResponse({ ...order, status }).nextEvents }).toEqual({ status, next: expected });
    }
    expect(toOrderResponse({ ...order, status: 'REFUNDED' }).nextEvents).toEqual([]);
  });

  it('follows the order through the API as it moves', async () => {
    const variantId = (await createProductWithStock(t.prisma, [{ stock: 5 }])).variants[0].id;
    const placed = await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId, quantity: 1 }]))
      .expect(201);
    expect(placed.body.order).toMatchObject({ status: 'CONFIRMED', nextEvents: ['CANCEL', 'FULFILL'] });
    const id = placed.body.order.id;
    const fulfilled = await t.http.post(`/orders/${id}/fulfill`).set(bearer(admin.token)).send({ carrier: 'Delhivery' }).expect(200);
    expect(fulfilled.body.nextEvents).toEqual([
      'DELIVER',
      'REQUEST_RETURN',
      'REFUND_PARTIAL',
      'REFUND_FULL',
      'MARK_IN_TRANSIT',
      'MARK_OUT_FOR_DELIVERY',
      'FAIL_DELIVERY',
      'START_RTO',
    ]);
    const delivered = await t.http.post(`/orders/${id}/deliver`).set(bearer(admin.token)).expect(200);
    expect(delivered.body.nextEvents).toEqual(['REQUEST_RETURN', 'REFUND_PARTIAL', 'REFUND_FULL']);
    const listed = await t.http.get('/orders').query({ q: placed.body.order.number }).set(bearer(admin.token)).expect(200);
    expect(listed.body.items.map((o: { nextEvents: string[] }) => o.nextEvents)).toEqual([
      ['REQUEST_RETURN', 'REFUND_PARTIAL', 'REFUND_FULL'],
    ]);
  });
});
