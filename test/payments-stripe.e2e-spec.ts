import { createProductWithStock } from './support/fixtures.js';
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
import type { StripeEvent } from './provider-simulator/stripe-simulator.js';
import { nowSeconds } from './provider-simulator/http-kit.js';
import { PaymentRecoveryJob } from '../src/payments/payment-recovery.job.js';

/** Rows aged to this date are picked by a recovery run over rows older than sinceLongAgo(), and no other test file's rows are. */
const LONG_AGO = new Date('2000-01-01T00:00:00Z');
const sinceLongAgo = () => Date.now() - Date.parse('2000-01-02T00:00:00Z');

describe('Stripe payments through the simulator and the real stripe-node SDK', () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await startPaymentsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const product = async (stock: number, priceMinor = 49900, currency = 'INR') =>
    (await createProductWithStock(h.t.prisma, [{ stock, priceMinor, currency }])).variants[0].id;
  const only = (events: StripeEvent[], type: string) => {
    const found = events.filter((e) => e.type === type);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const intentOf = (payment: Record<string, any> | null) => h.sim.stripe.paymentIntents.get(payment!.paymentIntentId)!;
  const webhookRows = (eventId: string) => h.t.prisma.webhookEvent.findMany({ where: { provider: 'STRIPE', eventId } });
  const history = (orderId: string) => h.t.prisma.orderStatusHistory.findMany({ where: { orderId }, orderBy: { id: 'asc' } });

  // What every provider does (capture once, signatures, refunds, late payments, reconciliation) is in payments-contract.e2e-spec.ts.

  it('creates one PaymentIntent per order, traceable both ways, and keeps its client secret out of the summary', async () => {
    const order = await checkout(h, await product(5), 'stripe', 2);
    expect(order.status).toBe('PAYMENT_PENDING');
    expect(order.payment).toMatchObject({ method: 'STRIPE', amountMinor: 99800, currency: 'INR', publishableKey: 'pk_test_simulator' });
    const intent = intentOf(order.payment);
    expect(intent).toMatchObject({ amount: 99800, currency: 'inr', metadata: { orderId: order.orderId, orderNumber: order.orderNumber } });
    expect(order.payment!.clientSecret).toBe(intent.client_secret);
    expect(h.sim.callsTo('POST /v1/payment_intents').filter((c) => c.idempotencyKey === `orderline-order-${order.orderId}`)).toHaveLength(
      1,
    );

    const succeeded = only(h.sim.stripe.pay(intent.id), 'payment_intent.succeeded');
    const [res] = await h.sim.deliver(succeeded);
    expect(res).toMatchObject({ status: 200, body: { eventId: succeeded.id, duplicate: false, result: 'order paid' } });
    expect(await webhookRows(succeeded.id)).toEqual([
      expect.objectContaining({ type: 'payment_intent.succeeded', result: 'order paid', processedAt: expect.any(Date) }),
    ]);
    const summary = await h.t.http.get(`/orders/${order.orderId}/payment`).set(h.support.bearer(order.token)).expect(200);
    expect(summary.body).toMatchObject({
      payments: [{ provider: 'STRIPE', providerRef: intent.id, status: 'SUCCEEDED', amountMinor: 99800, currency: 'INR' }],
      attempts: [{ provider: 'STRIPE', providerPaymentId: intent.id, status: 'CAPTURED', amountMinor: 99800, errorCode: null }],
    });
    expect(JSON.stringify(summary.body)).not.toContain(intent.client_secret);
  });

  it('returns the same PaymentIntent when payment is retried, and hides orders from strangers', async () => {
    const order = await checkout(h, await product(3), 'stripe');
    const again = await h.t.http.post(`/orders/${order.orderId}/payment`).set(h.support.bearer(order.token)).expect(200);
    expect(again.body).toEqual(order.payment);
    const stranger = await h.support.registerCustomer(h.t);
    await h.t.http.post(`/orders/${order.orderId}/payment`).set(h.support.bearer(stranger.token)).expect(404);
    await h.t.http.get(`/orders/${order.orderId}/payment`).set(h.support.bearer(stranger.token)).expect(404);
    await h.t.http.get(`/orders/${order.orderId}/payment`).expect(404);
    await paymentSummary(h, order.orderId).expect(200);
    expect([...h.sim.stripe.paymentIntents.values()].filter((pi) => pi.metadata.orderId === order.orderId)).toHaveLength(1);
  });

  it('accepts a signature timestamp a little ahead of our clock, within the tolerance', async () => {
    const order = await checkout(h, await product(2), 'stripe');
    const succeeded = only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded');
    const res = await h.t.http
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', h.sim.stripe.sign(succeeded.body, nowSeconds() + 60))
      .send(succeeded.body)
      .expect(200);
    expect(res.body).toMatchObject({ result: 'order paid' });
  });

  it('counts a PaymentIntent once however its events name it (succeeded without latest_charge, then charge events)', async () => {
    const variantId = await product(3);
    const order = await checkout(h, variantId, 'stripe');
    const intentId = intentOf(order.payment).id;
    const paid = h.sim.stripe.pay(intentId);
    // Older API versions (and some expansions) send the PaymentIntent without latest_charge.
    const bare = h.sim.stripe.emit('payment_intent.succeeded', { ...intentOf(order.payment), latest_charge: null });
    await h.sim.deliver(bare);
    await h.sim.deliver(only(paid, 'charge.succeeded'));
    await h.sim.deliver(only(paid, 'payment_intent.succeeded'));
    const refundsAtStripe = () => [...h.sim.stripe.refunds.values()].filter((r) => r.payment_intent === intentId).map((r) => r.amount);
    expect(refundsAtStripe()).toEqual([]); // no "duplicate payment" went back
    expect((await paymentSummary(h, order.orderId).expect(200)).body).toMatchObject({
      paidMinor: 49900,
      refundedMinor: 0,
      pendingRefundMinor: 0,
      needsReview: false,
    });
    const refunded = only(h.sim.stripe.dashboardRefund(intentId, 10000), 'charge.refunded');
    await h.sim.deliver(refunded);

    expect(await orderStatus(h, order.orderId)).toBe('PARTIALLY_REFUNDED');
    const summary = await paymentSummary(h, order.orderId).expect(200);
    expect(summary.body).toMatchObject({
      paidMinor: 49900,
      refundedMinor: 10000,
      pendingRefundMinor: 0,
      refundableMinor: 39900,
      needsReview: false,
    });
    expect(summary.body.attempts).toEqual([
      expect.objectContaining({ providerPaymentId: intentId, status: 'CAPTURED', amountMinor: 49900, errorCode: null }),
    ]);
    expect(summary.body.refunds).toEqual([expect.objectContaining({ status: 'SUCCEEDED', amountMinor: 10000, automatic: false })]);
    expect(refundsAtStripe()).toEqual([10000]);
    expect(await salesOf(h, order.orderId)).toBe(1);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
  });

  it('resolves the PaymentIntent of a refund event that names only its charge', async () => {
    const order = await checkout(h, await product(2), 'stripe');
    const intentId = intentOf(order.payment).id;
    await h.sim.deliver(only(h.sim.stripe.pay(intentId), 'payment_intent.succeeded'));
    h.sim.stripe.refundOutcome = 'pending';
    try {
      const res = await adminRefund(h, order.orderId, { amountMinor: 5000, reason: 'Scratched' }).expect(201);
      expect(res.body.refunds).toEqual([expect.objectContaining({ status: 'PENDING' })]);
      const providerRefundId: string = res.body.refunds[0].providerRefundId;
      h.sim.stripe.settleRefund(providerRefundId);
      const chargeOnly = h.sim.stripe.emit('refund.updated', { ...h.sim.stripe.refunds.get(providerRefundId)!, payment_intent: null });
      const [delivered] = await h.sim.deliver(chargeOnly);
      expect(delivered.body).toMatchObject({ result: expect.stringContaining('succeeded') });
      expect(await orderStatus(h, order.orderId)).toBe('PARTIALLY_REFUNDED');
      expect(h.sim.callsTo('GET /v1/charges/:id')).toHaveLength(1);
    } finally {
      h.sim.stripe.refundOutcome = 'succeeded';
    }
  });

  it('keeps the order payable after a failed attempt; the retry pays it', async () => {
    const order = await checkout(h, await product(2), 'stripe');
    const intentId = intentOf(order.payment).id;
    const failed = only(h.sim.stripe.pay(intentId, { outcome: 'failed', declineCode: 'card_declined' }), 'payment_intent.payment_failed');
    await h.sim.deliver(failed);
    expect(await orderStatus(h, order.orderId)).toBe('PAYMENT_PENDING');
    expect(await h.t.prisma.paymentAttempt.findFirst({ where: { orderId: order.orderId } })).toMatchObject({
      status: 'FAILED',
      errorCode: 'card_declined',
    });
    const retry = await h.t.http.post(`/orders/${order.orderId}/payment`).set(h.support.bearer(order.token)).expect(200);
    expect(retry.body.clientSecret).toBe(order.payment!.clientSecret);
    await h.sim.deliver(only(h.sim.stripe.pay(intentId), 'payment_intent.succeeded'));
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    expect((await history(order.orderId)).map((e) => [e.event, e.toStatus])).toEqual([
      ['CHECKOUT', 'CREATED'],
      ['AWAIT_PAYMENT', 'PAYMENT_PENDING'],
      ['PAYMENT_FAILED', 'PAYMENT_PENDING'],
      ['PAYMENT_SUCCEEDED', 'PAID'],
    ]);
    const summary = await paymentSummary(h, order.orderId).expect(200);
    expect(summary.body.attempts.map((a: { status: string }) => a.status)).toEqual(['FAILED', 'CAPTURED']);
  });

  it('recovers a refund whose answer was lost, without refunding twice', async () => {
    const order = await checkout(h, await product(2), 'stripe');
    await h.sim.deliver(only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded'));
    // stripe-node retries twice with the same Idempotency-Key; every answer is lost.
    h.sim.injectFault('POST /v1/refunds', { kind: 'drop-after-processing' }, 3);
    const res = await adminRefund(h, order.orderId, { reason: 'Lost answer' }).expect(201);
    const refundId: string = res.body.refunds[0].id;
    expect(res.body).toMatchObject({ orderStatus: 'PAID', refunds: [{ status: 'PENDING', providerRefundId: null }] });
    expect(h.sim.callsTo('POST /v1/refunds').filter((c) => c.idempotencyKey === `refund-${refundId}`)).toHaveLength(3);
    const atStripe = () => [...h.sim.stripe.refunds.values()].filter((r) => r.metadata.refundId === refundId);
    expect(atStripe()).toHaveLength(1);

    // The recovery job resumes refunds untouched for a while; the row is aged so this run picks it and no other file's.
    await h.t.prisma.refund.update({ where: { id: refundId }, data: { updatedAt: LONG_AGO } });
    expect(await h.t.app.get(PaymentRecoveryJob).run(sinceLongAgo())).toEqual({ refundsResumed: 1, paymentsCancelled: 0 });
    expect(await orderStatus(h, order.orderId)).toBe('REFUNDED');
    expect(atStripe()).toHaveLength(1);
    expect(await h.t.prisma.refund.findUniqueOrThrow({ where: { id: refundId } })).toMatchObject({
      status: 'SUCCEEDED',
      providerRefundId: atStripe()[0].id,
    });
  });

  it('cancels the PaymentIntent of an expired order; one that succeeded meanwhile becomes a late payment', async () => {
    const variantId = await product(3);
    const abandoned = await checkout(h, variantId, 'stripe');
    const paidMeanwhile = await checkout(h, variantId, 'stripe');
    await expireOrder(h, abandoned.orderId);
    await expireOrder(h, paidMeanwhile.orderId);
    h.sim.stripe.pay(intentOf(paidMeanwhile.payment).id);
    await h.t.prisma.payment.updateMany({
      where: { orderId: { in: [abandoned.orderId, paidMeanwhile.orderId] } },
      data: { updatedAt: LONG_AGO },
    });

    expect(await h.t.app.get(PaymentRecoveryJob).run(sinceLongAgo())).toEqual({ refundsResumed: 0, paymentsCancelled: 2 });
    expect(intentOf(abandoned.payment).status).toBe('canceled');
    expect(await h.t.prisma.payment.findFirst({ where: { orderId: abandoned.orderId } })).toMatchObject({ status: 'CANCELLED' });
    expect(await orderStatus(h, abandoned.orderId)).toBe('EXPIRED');
    expect(await orderStatus(h, paidMeanwhile.orderId)).toBe('PAID');
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
    // The canceled event arrives later and changes nothing more.
    const [canceled] = await h.sim.deliver(
      h.sim.stripe.events.filter((e) => e.type === 'payment_intent.canceled' && e.body.includes(abandoned.orderId))[0],
    );
    expect(canceled.body).toMatchObject({ result: expect.stringContaining('already cancelled') });
  });

  it('never creates a second PaymentIntent when the answers were lost, and still traces a payment made on it', async () => {
    const variantId = await product(2);
    // stripe-node tries three times with the same Idempotency-Key; every answer is lost, so checkout reports no payment.
    h.sim.injectFault('POST /v1/payment_intents', { kind: 'drop-after-processing' }, 3);
    const customer = await h.support.registerCustomer(h.t);
    const res = await h.t.http
      .post('/orders/checkout')
      .set(h.support.bearer(customer.token))
      .send({
        items: [{ variantId, quantity: 1 }],
        contact: { name: 'Meera', email: customer.email, phone: '+919800000002' },
        shippingAddress: { line1: '9 Lake Rd', city: 'Pune', postalCode: '411001', country: 'IN' },
        paymentMethod: 'stripe',
      })
      .expect(201);
    expect(res.body).toMatchObject({ payment: null, paymentError: { statusCode: 503 } });
    const orderId: string = res.body.order.id;
    const intents = () => [...h.sim.stripe.paymentIntents.values()].filter((pi) => pi.metadata.orderId === orderId);
    expect(intents()).toHaveLength(1);
    expect(await h.t.prisma.payment.findMany({ where: { orderId } })).toEqual([
      expect.objectContaining({ providerRef: null, status: 'PENDING' }),
    ]);

    // The PaymentIntent gets paid anyway (its metadata names the order): the webhook adopts it and pays the order.
    await h.sim.deliver(only(h.sim.stripe.pay(intents()[0].id), 'payment_intent.succeeded'));
    expect(await orderStatus(h, orderId)).toBe('PAID');
    expect(await h.t.prisma.payment.findMany({ where: { orderId } })).toEqual([
      expect.objectContaining({ providerRef: intents()[0].id, status: 'SUCCEEDED' }),
    ]);
    const retry = await h.t.http.post(`/orders/${orderId}/payment`).set(h.support.bearer(customer.token)).expect(409);
    expect(retry.body.details).toEqual({ currentStatus: 'PAID' });
    expect(intents()).toHaveLength(1);
  });

  it('hands out the PaymentIntent whose creation answer was lost when payment is retried', async () => {
    const variantId = await product(2);
    h.sim.injectFault('POST /v1/payment_intents', { kind: 'drop-after-processing' }, 3);
    const customer = await h.support.registerCustomer(h.t);
    const res = await h.t.http
      .post('/orders/checkout')
      .set(h.support.bearer(customer.token))
      .send({
        items: [{ variantId, quantity: 1 }],
        contact: { name: 'Kiran', email: customer.email, phone: '+919800000003' },
        shippingAddress: { line1: '3 Fort Rd', city: 'Kochi', postalCode: '682001', country: 'IN' },
        paymentMethod: 'stripe',
      })
      .expect(201);
    expect(res.body.payment).toBeNull();
    const retry = await h.t.http.post(`/orders/${res.body.order.id}/payment`).set(h.support.bearer(customer.token)).expect(200);
    const intents = [...h.sim.stripe.paymentIntents.values()].filter((pi) => pi.metadata.orderId === res.body.order.id);
    expect(intents).toHaveLength(1);
    expect(retry.body).toMatchObject({ paymentIntentId: intents[0].id, clientSecret: intents[0].client_secret });
    expect(
      h.sim.callsTo('POST /v1/payment_intents').filter((c) => c.idempotencyKey === `orderline-order-${res.body.order.id}`),
    ).toHaveLength(4);
  });

  it('charges zero-decimal currencies in whole units', async () => {
    const variantId = await product(2, 1500, 'JPY');
    const order = await checkout(h, variantId, 'stripe');
    expect(intentOf(order.payment)).toMatchObject({ amount: 1500, currency: 'jpy' });
    await h.sim.deliver(only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded'));
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    expect(await h.t.prisma.paymentAttempt.findFirst({ where: { orderId: order.orderId } })).toMatchObject({
      amountMinor: 1500,
      currency: 'JPY',
      errorCode: null,
    });
  });

  it('acknowledges events it does not act on, and events for payments it does not know', async () => {
    const order = await checkout(h, await product(1), 'stripe');
    const created = h.sim.stripe.events.find((e) => e.type === 'payment_intent.created' && e.body.includes(order.orderId))!;
    const [ignored] = await h.sim.deliver(created);
    expect(ignored).toMatchObject({ status: 200, body: { duplicate: false, result: 'ignored: payment_intent.created is not acted on' } });
    const foreign = h.sim.stripe.emit('payment_intent.succeeded', { ...intentOf(order.payment), id: 'pi_from_another_shop', metadata: {} });
    const [unknown] = await h.sim.deliver(foreign);
    expect(unknown).toMatchObject({ status: 200, body: { result: expect.stringContaining('ignored: no order') } });
    expect(await orderStatus(h, order.orderId)).toBe('PAYMENT_PENDING');
  });
});
