import { createProductWithStock, ledgerViolations } from './support/fixtures.js';
import {
  adminRefund,
  checkout,
  orderStatus,
  paymentSummary,
  startPaymentsHarness,
  stockOf,
  type PaymentsHarness,
} from './support/payments-harness.js';

describe('Cash on delivery, returns and refunds after fulfilment', () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await startPaymentsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const product = async (stock: number) =>
    (await createProductWithStock(h.t.prisma, [{ stock, priceMinor: 25000, currency: 'INR' }])).variants[0].id;
  const admin = () => h.support.bearer(h.admin.token);
  const fulfil = (orderId: string) =>
    h.t.http.post(`/orders/${orderId}/fulfill`).set(admin()).send({ carrier: 'Delhivery', trackingNumber: 'DL123' }).expect(200);
  const deliver = (orderId: string) => h.t.http.post(`/orders/${orderId}/deliver`).set(admin()).send({});
  const restocks = (orderId: string) => h.t.prisma.stockMovement.findMany({ where: { orderId, kind: 'RESTOCK' } });

  /** A prepaid (Stripe) order for `quantity` units, paid through the simulator and fulfilled. */
  async function paidAndFulfilled(variantId: string, quantity: number) {
    const order = await checkout(h, variantId, 'stripe', quantity);
    const events = h.sim.stripe.pay(order.payment!.paymentIntentId);
    await h.sim.deliver(events.find((e) => e.type === 'payment_intent.succeeded')!);
    await fulfil(order.orderId);
    const items = await h.t.prisma.orderItem.findMany({ where: { orderId: order.orderId } });
    return { ...order, itemId: items[0].id };
  }

  it('cash on delivery: checkout commits stock, admin fulfils, delivery records the payment once', async () => {
    const variantId = await product(3);
    const order = await checkout(h, variantId, 'cod', 2);
    expect(order).toMatchObject({ status: 'CONFIRMED', payment: { method: 'COD', amountMinor: 50000, currency: 'INR' } });
    expect(await stockOf(h, variantId)).toEqual({ onHand: 1, reserved: 0 });
    const before = await paymentSummary(h, order.orderId).expect(200);
    expect(before.body).toMatchObject({
      paymentMethod: 'COD',
      paidMinor: 0,
      payments: [{ provider: 'COD', status: 'PENDING' }],
      attempts: [],
    });

    await fulfil(order.orderId);
    await deliver(order.orderId).expect(200);
    await deliver(order.orderId).expect(409);
    const after = await h.t.http.get(`/orders/${order.orderId}/payment`).set(h.support.bearer(order.token)).expect(200);
    expect(after.body).toMatchObject({
      orderStatus: 'DELIVERED',
      paidMinor: 50000,
      refundableMinor: 50000,
      payments: [{ provider: 'COD', providerRef: `cod_${order.orderId}`, status: 'SUCCEEDED' }],
      attempts: [{ provider: 'COD', providerPaymentId: `cod_${order.orderId}`, status: 'CAPTURED', amountMinor: 50000 }],
    });
    expect(await h.t.prisma.auditLog.count({ where: { entityId: order.orderId, action: 'payment.cash_collected' } })).toBe(1);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 1, reserved: 0 });
  });

  it('returns with restock: request, accept, receive, then refund', async () => {
    const variantId = await product(4);
    const order = await paidAndFulfilled(variantId, 2);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
    const customer = h.support.bearer(order.token);

    const bad = await h.t.http
      .post(`/orders/${order.orderId}/returns`)
      .set(customer)
      .send({ items: [{ orderItemId: order.itemId, quantity: 3 }], reason: 'Too many' })
      .expect(400);
    expect(bad.body.details).toEqual([{ field: 'items.0.quantity', errors: ['must not exceed 2'] }]);
    await h.t.http
      .post(`/orders/${order.orderId}/returns`)
      .set(customer)
      .send({ items: [{ orderItemId: '00000000-0000-4000-8000-000000000000', quantity: 1 }], reason: 'Not mine' })
      .expect(400);
    const stranger = await h.support.registerCustomer(h.t);
    await h.t.http
      .post(`/orders/${order.orderId}/returns`)
      .set(h.support.bearer(stranger.token))
      .send({ items: [{ orderItemId: order.itemId, quantity: 1 }], reason: 'Sneaky' })
      .expect(404);
    expect(await h.t.prisma.return.count({ where: { orderId: order.orderId } })).toBe(0);
    expect(await orderStatus(h, order.orderId)).toBe('FULFILLED');

    const requested = await h.t.http
      .post(`/orders/${order.orderId}/returns`)
      .set(customer)
      .send({ items: [{ orderItemId: order.itemId, quantity: 1 }], reason: 'Wrong size' })
      .expect(201);
    expect(requested.body).toMatchObject({ status: 'REQUESTED', items: [{ orderItemId: order.itemId, quantity: 1 }] });
    expect(await orderStatus(h, order.orderId)).toBe('RETURN_REQUESTED');
    const returnId: string = requested.body.id;

    await h.t.http.post(`/orders/${order.orderId}/returns/${returnId}/receive`).set(admin()).send({}).expect(409);
    await h.t.http.post(`/orders/${order.orderId}/returns/${returnId}/accept`).set(customer).expect(403);
    await h.t.http.post(`/orders/${order.orderId}/returns/${returnId}/accept`).set(admin()).expect(200);
    const received = await h.t.http.post(`/orders/${order.orderId}/returns/${returnId}/receive`).set(admin()).send({}).expect(200);
    expect(received.body).toMatchObject({ status: 'RECEIVED', items: [{ quantity: 1 }] });
    expect(await orderStatus(h, order.orderId)).toBe('RETURNED');
    expect(await stockOf(h, variantId)).toEqual({ onHand: 3, reserved: 0 });
    expect(await restocks(order.orderId)).toEqual([expect.objectContaining({ variantId, onHandDelta: 1, reservedDelta: 0 })]);

    const partial = await adminRefund(h, order.orderId, { amountMinor: 25000, reason: 'Returned 1 item' }).expect(201);
    expect(partial.body).toMatchObject({ orderStatus: 'RETURNED', refunds: [{ status: 'SUCCEEDED', amountMinor: 25000 }] });
    const rest = await adminRefund(h, order.orderId, { reason: 'Goodwill' }).expect(201);
    expect(rest.body.orderStatus).toBe('REFUNDED');
    // The refund after a return puts nothing more back on the shelf: only the received unit was restocked.
    expect(await stockOf(h, variantId)).toEqual({ onHand: 3, reserved: 0 });
    const listed = await h.t.http.get(`/orders/${order.orderId}/returns`).set(customer).expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: returnId, status: 'RECEIVED' })]);
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
  });

  it('restocks only what arrived, and refuses returns before fulfilment', async () => {
    const variantId = await product(3);
    const early = await checkout(h, variantId, 'stripe');
    const earlyItem = (await h.t.prisma.orderItem.findFirstOrThrow({ where: { orderId: early.orderId } })).id;
    await h.t.http
      .post(`/orders/${early.orderId}/returns`)
      .set(h.support.bearer(early.token))
      .send({ items: [{ orderItemId: earlyItem, quantity: 1 }], reason: 'Changed my mind' })
      .expect(409);

    const order = await paidAndFulfilled(variantId, 2);
    const { body } = await h.t.http
      .post(`/orders/${order.orderId}/returns`)
      .set(h.support.bearer(order.token))
      .send({ items: [{ orderItemId: order.itemId, quantity: 2 }], reason: 'Both wrong' })
      .expect(201);
    await h.t.http.post(`/orders/${order.orderId}/returns/${body.id}/accept`).set(admin()).expect(200);
    await h.t.http
      .post(`/orders/${order.orderId}/returns/${body.id}/receive`)
      .set(admin())
      .send({ items: [{ orderItemId: order.itemId, quantity: 3 }] })
      .expect(400);
    const received = await h.t.http
      .post(`/orders/${order.orderId}/returns/${body.id}/receive`)
      .set(admin())
      .send({ items: [{ orderItemId: order.itemId, quantity: 1 }] })
      .expect(200);
    expect(received.body.items).toEqual([{ orderItemId: order.itemId, quantity: 1 }]);
    expect(await restocks(order.orderId)).toEqual([expect.objectContaining({ onHandDelta: 1 })]);
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
  });

  it('a rejected return sends the order back to DELIVERED and allows a new request', async () => {
    const variantId = await product(2);
    const order = await checkout(h, variantId, 'cod');
    await fulfil(order.orderId);
    await deliver(order.orderId).expect(200);
    const itemId = (await h.t.prisma.orderItem.findFirstOrThrow({ where: { orderId: order.orderId } })).id;
    const customer = h.support.bearer(order.token);
    const first = await h.t.http
      .post(`/orders/${order.orderId}/returns`)
      .set(customer)
      .send({ items: [{ orderItemId: itemId, quantity: 1 }], reason: 'Faded' })
      .expect(201);
    await h.t.http.post(`/orders/${order.orderId}/returns/${first.body.id}/reject`).set(admin()).send({ reason: 'Worn' }).expect(200);
    expect(await orderStatus(h, order.orderId)).toBe('DELIVERED');
    await h.t.http.post(`/orders/${order.orderId}/returns/${first.body.id}/accept`).set(admin()).expect(409);

    const second = await h.t.http
      .post(`/orders/${order.orderId}/returns`)
      .set(customer)
      .send({ items: [{ orderItemId: itemId, quantity: 1 }], reason: 'Faded, with photos' })
      .expect(201);
    await h.t.http.post(`/orders/${order.orderId}/returns/${second.body.id}/accept`).set(admin()).expect(200);
    await h.t.http.post(`/orders/${order.orderId}/returns/${second.body.id}/receive`).set(admin()).send({}).expect(200);
    // Cash on delivery: the refund is cash handed back, recorded as done.
    const refund = await adminRefund(h, order.orderId, { reason: 'Returned' }).expect(201);
    expect(refund.body).toMatchObject({ orderStatus: 'REFUNDED', refunds: [{ provider: 'COD', status: 'SUCCEEDED', amountMinor: 25000 }] });
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
  });

  it('returns what is left after a partial return, never more than was bought, also when requests race', async () => {
    const variantId = await product(6);
    const order = await paidAndFulfilled(variantId, 3);
    const customer = h.support.bearer(order.token);
    const request = (quantity: number, reason: string) =>
      h.t.http
        .post(`/orders/${order.orderId}/returns`)
        .set(customer)
        .send({ items: [{ orderItemId: order.itemId, quantity }], reason });
    const acceptAndReceive = async (returnId: string) => {
      await h.t.http.post(`/orders/${order.orderId}/returns/${returnId}/accept`).set(admin()).expect(200);
      await h.t.http.post(`/orders/${order.orderId}/returns/${returnId}/receive`).set(admin()).send({}).expect(200);
    };

    const first = await request(1, 'One was too small').expect(201);
    await acceptAndReceive(first.body.id);
    expect(await orderStatus(h, order.orderId)).toBe('RETURNED');
    expect((await request(3, 'All of them').expect(400)).body.details).toEqual([
      { field: 'items.0.quantity', errors: ['must not exceed 2'] },
    ]);

    // A rejected further return leaves the order RETURNED (goods did come back) and the rest still returnable.
    const rejected = await request(1, 'Changed my mind').expect(201);
    await h.t.http.post(`/orders/${order.orderId}/returns/${rejected.body.id}/reject`).set(admin()).send({ reason: 'Worn' }).expect(200);
    expect(await orderStatus(h, order.orderId)).toBe('RETURNED');

    // Three requests for the remaining two units at once: one return opens; the others find nothing left to return.
    const raced = await Promise.all(['A', 'B', 'C'].map((tag) => request(2, `Race ${tag}`)));
    expect(raced.map((r) => r.status).sort()).toEqual([201, 400, 400]);
    for (const refused of raced.filter((r) => r.status === 400))
      expect(refused.body.details).toEqual([{ field: 'items.0.quantity', errors: ['must not exceed 0'] }]);
    await request(1, 'While one is open').expect(400);
    await acceptAndReceive(raced.find((r) => r.status === 201)!.body.id);
    expect(await orderStatus(h, order.orderId)).toBe('RETURNED');
    expect((await request(1, 'Nothing left').expect(400)).body.details).toEqual([
      { field: 'items.0.quantity', errors: ['must not exceed 0'] },
    ]);

    const returned = await h.t.prisma.returnItem.aggregate({
      where: { return: { orderId: order.orderId, status: { not: 'REJECTED' } } },
      _sum: { quantity: true },
    });
    expect(returned._sum.quantity).toBe(3);
    expect((await restocks(order.orderId)).map((m) => m.onHandDelta).sort()).toEqual([1, 2]);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 6, reserved: 0 });
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
    const history = await h.t.prisma.orderStatusHistory.findMany({ where: { orderId: order.orderId }, orderBy: { id: 'asc' } });
    expect(history.map((e) => e.event).slice(-6)).toEqual([
      'REQUEST_RETURN',
      'RECEIVE_RETURN',
      'REQUEST_RETURN',
      'REJECT_FURTHER_RETURN',
      'REQUEST_RETURN',
      'RECEIVE_RETURN',
    ]);
  });

  it('lets a guest read its order payment with the order token only', async () => {
    const variantId = await product(1);
    const res = await h.t.http
      .post('/orders/checkout')
      .send({
        items: [{ variantId, quantity: 1 }],
        contact: { name: 'Guest', email: 'guest@example.com', phone: '+919811111111' },
        shippingAddress: { line1: '5 Hill Rd', city: 'Mumbai', postalCode: '400050', country: 'IN' },
        paymentMethod: 'stripe',
      })
      .expect(201);
    const orderId = res.body.order.id;
    await h.t.http.get(`/orders/${orderId}/payment`).expect(404);
    await h.t.http.get(`/orders/${orderId}/payment`).set('X-Order-Token', 'wrong').expect(404);
    const summary = await h.t.http.get(`/orders/${orderId}/payment`).set('X-Order-Token', res.body.guestToken).expect(200);
    expect(summary.body).toMatchObject({
      orderStatus: 'PAYMENT_PENDING',
      payments: [{ provider: 'STRIPE', providerRef: res.body.payment.paymentIntentId }],
    });
    await h.t.http.post(`/orders/${orderId}/payment`).set('X-Order-Token', res.body.guestToken).expect(200);
  });

  it('lists the payment methods that are configured, and documents every payment endpoint', async () => {
    const res = await h.t.http.get('/payments/methods').expect(200);
    expect(res.body.methods.sort()).toEqual(['COD', 'RAZORPAY', 'STRIPE']);
    const docs = await h.t.http.get('/docs-json').expect(200);
    for (const [path, method] of [
      ['/webhooks/stripe', 'post'],
      ['/webhooks/razorpay', 'post'],
      ['/payments/razorpay/verify', 'post'],
      ['/payments/methods', 'get'],
      ['/orders/{id}/payment', 'get'],
      ['/orders/{id}/payment', 'post'],
      ['/orders/{id}/payment/reconcile', 'post'],
      ['/orders/{id}/refunds', 'post'],
      ['/orders/{id}/returns', 'post'],
      ['/orders/{id}/returns', 'get'],
      ['/orders/{id}/returns/{returnId}/accept', 'post'],
      ['/orders/{id}/returns/{returnId}/receive', 'post'],
      ['/orders/{id}/returns/{returnId}/reject', 'post'],
    ]) {
      expect({ path, method, summary: docs.body.paths[path]?.[method]?.summary }).toEqual({ path, method, summary: expect.any(String) });
    }
    expect(Object.keys(docs.body.components.schemas.PaymentSummaryResponse.properties)).toEqual(
      expect.arrayContaining(['paidMinor', 'refundedMinor', 'attempts', 'refunds']),
    );
  });
});
