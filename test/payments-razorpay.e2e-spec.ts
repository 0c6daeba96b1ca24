import { createProductWithStock, ledgerViolations } from './support/fixtures.js';
import {
  adminRefund,
  checkout,
  expireOrder,
  orderStatus,
  paymentSummary,
  salesOf,
  startPaymentsHarness,
  stockOf,
  type PaymentsHarness,
} from './support/payments-harness.js';
import type { RazorpayEvent } from './provider-simulator/razorpay-simulator.js';

describe('Razorpay payments through the simulator and the real razorpay SDK', () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await startPaymentsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const product = async (stock: number, priceMinor = 49900) =>
    (await createProductWithStock(h.t.prisma, [{ stock, priceMinor, currency: 'INR' }])).variants[0].id;
  const only = (events: RazorpayEvent[], type: string) => {
    const found = events.filter((e) => e.type === type);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const verify = (body: Record<string, string>) => h.t.http.post('/payments/razorpay/verify').send(body);
  const history = (orderId: string) => h.t.prisma.orderStatusHistory.findMany({ where: { orderId }, orderBy: { id: 'asc' } });
  const captured = (orderId: string) => h.t.prisma.paymentAttempt.count({ where: { orderId, status: 'CAPTURED' } });
  const refunds = (orderId: string) => h.t.prisma.refund.count({ where: { orderId } });

  // What every provider does (capture once, signatures, refunds, late payments, reconciliation) is in payments-contract.e2e-spec.ts.

  it('checkout → Checkout handler → verify → PAID, with the order traceable at Razorpay', async () => {
    const variantId = await product(5);
    const order = await checkout(h, variantId, 'razorpay', 2);
    expect(order.payment).toMatchObject({
      method: 'RAZORPAY',
      keyId: 'rzp_test_simulator',
      amount: 99800,
      currency: 'INR',
      amountMinor: 99800,
    });
    const rzpOrder = h.sim.razorpay.orders.get(order.payment!.razorpayOrderId)!;
    expect(rzpOrder).toMatchObject({
      amount: 99800,
      currency: 'INR',
      receipt: order.orderNumber,
      notes: { orderId: order.orderId, orderNumber: order.orderNumber },
    });

    const paid = h.sim.razorpay.pay(rzpOrder.id);
    const res = await verify(paid.handler).expect(200);
    expect(res.body).toEqual({ orderId: order.orderId, orderNumber: order.orderNumber, orderStatus: 'PAID', paid: true });
    expect(await stockOf(h, variantId)).toEqual({ onHand: 3, reserved: 0 });
    const summary = await paymentSummary(h, order.orderId).expect(200);
    expect(summary.body).toMatchObject({
      paidMinor: 99800,
      payments: [{ provider: 'RAZORPAY', providerRef: rzpOrder.id, status: 'SUCCEEDED' }],
      attempts: [{ providerPaymentId: paid.payment.id, status: 'CAPTURED', amountMinor: 99800 }],
    });

    // The webhooks arrive afterwards: acknowledged, counted nowhere.
    const results = await h.sim.deliverAll([only(paid.events, 'payment.captured'), only(paid.events, 'order.paid')]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => (r.body as { result: string }).result)).toEqual([
      `capture ${paid.payment.id} already recorded`,
      `capture ${paid.payment.id} already recorded`,
    ]);
    expect(await captured(order.orderId)).toBe(1);
    expect(await refunds(order.orderId)).toBe(0);
    expect(await salesOf(h, order.orderId)).toBe(1);
  });

  it('knows the redelivery of an event whose id holds quotes and backslashes (written into its SQL as a literal)', async () => {
    const order = await checkout(h, await product(2), 'razorpay');
    const paid = h.sim.razorpay.pay(order.payment!.razorpayOrderId as string);
    const event = { ...only(paid.events, 'payment.captured'), id: `evt_it's\\'; SELECT 1; --` };
    const results = await h.sim.deliver(event, { times: 2, concurrently: false });
    expect(results.map((r) => r.body)).toEqual([
      { eventId: event.id, duplicate: false, result: 'order paid' },
      { eventId: event.id, duplicate: true, result: 'duplicate: already received' },
    ]);
    expect(await h.t.prisma.webhookEvent.count({ where: { provider: 'RAZORPAY', eventId: event.id } })).toBe(1);
    expect(await captured(order.orderId)).toBe(1);
  });

  it('answers repeated and concurrent verify calls with the original success, deducting once', async () => {
    const variantId = await product(3);
    const order = await checkout(h, variantId, 'razorpay');
    const paid = h.sim.razorpay.pay(order.payment!.razorpayOrderId);
    const responses = await Promise.all(Array.from({ length: 5 }, () => verify(paid.handler)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    for (const r of responses) expect(r.body).toMatchObject({ orderStatus: 'PAID', paid: true });
    await verify(paid.handler).expect(200);
    expect(await captured(order.orderId)).toBe(1);
    expect(await refunds(order.orderId)).toBe(0);
    expect(await salesOf(h, order.orderId)).toBe(1);
    expect((await history(order.orderId)).filter((e) => e.event === 'PAYMENT_SUCCEEDED')).toHaveLength(1);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
  });

  it('has one effect when the client verify and the webhooks race', async () => {
    const variantId = await product(3);
    const order = await checkout(h, variantId, 'razorpay');
    const paid = h.sim.razorpay.pay(order.payment!.razorpayOrderId);
    const [verified, webhooks] = await Promise.all([
      verify(paid.handler),
      Promise.all([
        h.sim.deliver(only(paid.events, 'payment.captured'), { times: 2 }),
        h.sim.deliver(only(paid.events, 'order.paid'), { times: 2 }),
      ]),
    ]);
    expect(verified.status).toBe(200);
    expect(webhooks.flat().map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    expect(await captured(order.orderId)).toBe(1);
    expect(await refunds(order.orderId)).toBe(0);
    expect(await salesOf(h, order.orderId)).toBe(1);
    expect((await history(order.orderId)).filter((e) => e.event === 'PAYMENT_SUCCEEDED')).toHaveLength(1);
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
  });

  it('refuses a bad verify signature with 400 before asking Razorpay, changing nothing', async () => {
    const order = await checkout(h, await product(2), 'razorpay');
    const paid = h.sim.razorpay.pay(order.payment!.razorpayOrderId);
    const fetchesBefore = h.sim.callsTo('GET /v1/payments/:id').length;
    const forged = await verify({ ...paid.handler, razorpay_signature: 'ab'.repeat(32) }).expect(400);
    expect(forged.body).toMatchObject({ statusCode: 400, details: [{ field: 'razorpay_signature', errors: ['signature mismatch'] }] });
    await verify({ ...paid.handler, razorpay_signature: 'not-hex' }).expect(400);
    await verify({ ...paid.handler, razorpay_payment_id: 'pay_Someoneelse01' }).expect(400);
    await verify({ razorpay_order_id: paid.handler.razorpay_order_id }).expect(400);
    expect(h.sim.callsTo('GET /v1/payments/:id')).toHaveLength(fetchesBefore);
    expect(await orderStatus(h, order.orderId)).toBe('PAYMENT_PENDING');
    expect(await h.t.prisma.paymentAttempt.count({ where: { orderId: order.orderId } })).toBe(0);
  });

  it('flags an amount mismatch for review instead of marking the order paid', async () => {
    const order = await checkout(h, await product(2), 'razorpay');
    const paid = h.sim.razorpay.pay(order.payment!.razorpayOrderId, { amount: 100 });
    const res = await verify(paid.handler).expect(200);
    expect(res.body).toMatchObject({ orderStatus: 'PAYMENT_PENDING', paid: false });
    expect(await h.t.prisma.order.findUniqueOrThrow({ where: { id: order.orderId } })).toMatchObject({
      status: 'PAYMENT_PENDING',
      needsReview: true,
    });
    expect(await h.t.prisma.auditLog.count({ where: { entityId: order.orderId, action: 'order.flagged_for_review' } })).toBe(1);
    // A refund of the stray capture is possible; it does not pretend the order was paid or refunded.
    const refund = await adminRefund(h, order.orderId, { reason: 'Wrong amount captured' }).expect(201);
    expect(refund.body).toMatchObject({ orderStatus: 'PAYMENT_PENDING', refunds: [{ amountMinor: 100, status: 'SUCCEEDED' }] });
  });

  it('keeps the order payable after a failed payment; the next attempt pays it', async () => {
    const order = await checkout(h, await product(2), 'razorpay');
    const rzpOrderId = order.payment!.razorpayOrderId;
    const failure = h.sim.razorpay.pay(rzpOrderId, { outcome: 'failed' });
    await h.sim.deliver(only(failure.events, 'payment.failed'));
    expect(await orderStatus(h, order.orderId)).toBe('PAYMENT_PENDING');
    const retry = await h.t.http.post(`/orders/${order.orderId}/payment`).set(h.support.bearer(order.token)).expect(200);
    expect(retry.body.razorpayOrderId).toBe(rzpOrderId);
    await verify(h.sim.razorpay.pay(rzpOrderId).handler).expect(200);
    expect((await history(order.orderId)).map((e) => e.event)).toEqual([
      'CHECKOUT',
      'AWAIT_PAYMENT',
      'PAYMENT_FAILED',
      'PAYMENT_SUCCEEDED',
    ]);
    expect(await h.t.prisma.paymentAttempt.findMany({ where: { orderId: order.orderId }, orderBy: { createdAt: 'asc' } })).toEqual([
      expect.objectContaining({ providerPaymentId: failure.payment.id, status: 'FAILED', errorCode: 'BAD_REQUEST_ERROR' }),
      expect.objectContaining({ status: 'CAPTURED' }),
    ]);
  });

  it('pays the order when a failed payment is captured after all (late authorisation), once across concurrent events', async () => {
    const variantId = await product(3);
    const order = await checkout(h, variantId, 'razorpay');
    const failure = h.sim.razorpay.pay(order.payment!.razorpayOrderId, { outcome: 'failed' });
    await h.sim.deliver(only(failure.events, 'payment.failed'));
    // The bank authorises the same payment later: its capture arrives as two events (two event ids), delivered at once.
    Object.assign(failure.payment, { status: 'captured', captured: true, error_code: null, error_description: null });
    const late = [
      h.sim.razorpay.emit('payment.captured', { payment: failure.payment }),
      h.sim.razorpay.emit('payment.captured', { payment: failure.payment }),
    ];
    const results = (await Promise.all(late.map((event) => h.sim.deliver(event, { times: 3 })))).flat();
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(results.map((r) => (r.body as { result: string }).result).filter((r) => r === 'order paid')).toHaveLength(1);
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
    expect(await h.t.prisma.paymentAttempt.findMany({ where: { orderId: order.orderId } })).toEqual([
      expect.objectContaining({ providerPaymentId: failure.payment.id, status: 'CAPTURED', errorCode: null, errorMessage: null }),
    ]);
    expect((await history(order.orderId)).map((e) => e.event)).toEqual([
      'CHECKOUT',
      'AWAIT_PAYMENT',
      'PAYMENT_FAILED',
      'PAYMENT_SUCCEEDED',
    ]);
    expect(await h.t.prisma.webhookEvent.count({ where: { eventId: { in: late.map((e) => e.id) } } })).toBe(2);
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
  });

  it('refunds automatically a second payment for an order that is already paid', async () => {
    const variantId = await product(2);
    const order = await checkout(h, variantId, 'razorpay');
    const rzpOrderId = order.payment!.razorpayOrderId;
    await verify(h.sim.razorpay.pay(rzpOrderId).handler).expect(200);
    const second = h.sim.razorpay.pay(rzpOrderId);
    const [res] = await h.sim.deliver(only(second.events, 'payment.captured'));
    expect(res.body).toMatchObject({ result: expect.stringContaining('Duplicate payment') });
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    expect(await salesOf(h, order.orderId)).toBe(1);
    expect(await h.t.prisma.refund.findMany({ where: { orderId: order.orderId } })).toEqual([
      expect.objectContaining({ automatic: true, status: 'SUCCEEDED', amountMinor: 49900, attemptId: expect.any(String) }),
    ]);
    expect(h.sim.razorpay.payments.get(second.payment.id)).toMatchObject({ status: 'refunded' });
    const summary = await paymentSummary(h, order.orderId).expect(200);
    expect(summary.body).toMatchObject({ paidMinor: 99800, refundedMinor: 49900, refundableMinor: 49900 });
    expect(summary.body.attempts.map((a: { errorCode: string | null }) => a.errorCode)).toEqual([null, 'DUPLICATE_PAYMENT']);
  });

  it('captures an authorized payment (manual capture accounts) when the client verifies it', async () => {
    const order = await checkout(h, await product(1), 'razorpay');
    const paid = h.sim.razorpay.pay(order.payment!.razorpayOrderId, { outcome: 'authorized' });
    await verify(paid.handler).expect(200);
    expect(h.sim.razorpay.payments.get(paid.payment.id)).toMatchObject({ status: 'captured', captured: true });
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
  });

  it('accepts a late payment after expiry when stock allows, and refunds it automatically when not', async () => {
    const variantId = await product(1);
    const first = await checkout(h, variantId, 'razorpay');
    await expireOrder(h, first.orderId);
    await verify(h.sim.razorpay.pay(first.payment!.razorpayOrderId).handler).expect(200);
    expect(await orderStatus(h, first.orderId)).toBe('PAID');
    expect(await stockOf(h, variantId)).toEqual({ onHand: 0, reserved: 0 });

    const other = await product(1);
    const late = await checkout(h, other, 'razorpay');
    await expireOrder(h, late.orderId);
    await checkout(h, other, 'cod');
    const paid = h.sim.razorpay.pay(late.payment!.razorpayOrderId);
    const [res] = await h.sim.deliver(only(paid.events, 'order.paid'));
    expect(res.status).toBe(200);
    expect(await orderStatus(h, late.orderId)).toBe('EXPIRED');
    const refund = await h.t.prisma.refund.findFirstOrThrow({ where: { orderId: late.orderId } });
    expect(refund).toMatchObject({ automatic: true, status: 'SUCCEEDED', amountMinor: 49900 });
    expect(h.sim.callsTo('POST /v1/payments/:id/refund').filter((c) => c.idempotencyKey === refund.id)).toHaveLength(1);
    expect(h.sim.razorpay.payments.get(paid.payment.id)).toMatchObject({ status: 'refunded', amount_refunded: 49900 });
    expect(await stockOf(h, other)).toEqual({ onHand: 0, reserved: 0 });
    expect(await ledgerViolations(h.t.prisma, [variantId, other])).toEqual([]);
  });

  it('never creates a second Razorpay order when the first answer was lost', async () => {
    const variantId = await product(2);
    h.sim.injectFault('POST /v1/orders', { kind: 'drop-after-processing' });
    const customer = await h.support.registerCustomer(h.t);
    const res = await h.t.http
      .post('/orders/checkout')
      .set(h.support.bearer(customer.token))
      .send({
        items: [{ variantId, quantity: 1 }],
        contact: { name: 'Ravi', email: customer.email, phone: '+919800000001' },
        shippingAddress: { line1: '1 Park St', city: 'Kolkata', postalCode: '700016', country: 'IN' },
        paymentMethod: 'razorpay',
      })
      .expect(201);
    expect(res.body).toMatchObject({ order: { status: 'PAYMENT_PENDING' }, payment: null, paymentError: { statusCode: 503 } });
    const retry = await h.t.http.post(`/orders/${res.body.order.id}/payment`).set(h.support.bearer(customer.token)).expect(200);
    const atRazorpay = [...h.sim.razorpay.orders.values()].filter((o) => o.receipt === res.body.order.number);
    expect(atRazorpay).toHaveLength(1);
    expect(retry.body.razorpayOrderId).toBe(atRazorpay[0].id);
  });
});
