import { randomUUID } from 'node:crypto';
import { createProductWithStock, ledgerViolations } from './support/fixtures.js';
import {
  adminRefund, checkout, expireOrder, orderStatus, paymentSummary, salesOf, startPaymentsHarness, stockOf, type PaymentsHarness,
} from './provider-simulator/payments-harness.js';
import type { StripeEvent } from './provider-simulator/stripe-simulator.js';
import { nowSeconds } from './provider-simulator/http-kit.js';
import { PaymentRecoveryJob } from '../src/payments/payment-recovery.job.js';

/** Rows aged to this date are picked by a recovery run over rows older than sinceLongAgo(), and no other test file's rows are. */
const LONG_AGO = new Date('2000-01-01T00:00:00Z');
const sinceLongAgo = () => Date.now() - Date.parse('2000-01-02T00:00:00Z');

describe('Stripe payments through the simulator and the real stripe-node SDK', () => {
  let h: PaymentsHarness;
  beforeAll(async () => { h = await startPaymentsHarness(); });
  afterAll(async () => { await h?.close(); });

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

  it('pay → webhook → PAID with stock sold once, traceable both ways', async () => {
    const variantId = await product(5);
    const order = await checkout(h, variantId, 'stripe', 2);
    expect(order.status).toBe('PAYMENT_PENDING');
    expect(order.payment).toMatchObject({ method: 'STRIPE', amountMinor: 99800, currency: 'INR', publishableKey: 'pk_test_simulator' });
    const intent = intentOf(order.payment);
    expect(intent).toMatchObject({ amount: 99800, currency: 'inr', metadata: { orderId: order.orderId, orderNumber: order.orderNumber } });
    expect(order.payment!.clientSecret).toBe(intent.client_secret);
    expect(h.sim.callsTo('POST /v1/payment_intents').filter((c) => c.idempotencyKey === `orderline-order-${order.orderId}`)).toHaveLength(1);

    const succeeded = only(h.sim.stripe.pay(intent.id), 'payment_intent.succeeded');
    const [res] = await h.sim.deliver(succeeded);
    expect(res).toMatchObject({ status: 200, body: { eventId: succeeded.id, duplicate: false, result: 'order paid' } });

    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    expect(await stockOf(h, variantId)).toEqual({ onHand: 3, reserved: 0 });
    expect(await salesOf(h, order.orderId)).toBe(1);
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
    expect(await webhookRows(succeeded.id)).toEqual([expect.objectContaining({ type: 'payment_intent.succeeded', result: 'order paid', processedAt: expect.any(Date) })]);

    const summary = await h.t.http.get(`/orders/${order.orderId}/payment`).set(h.support.bearer(order.token)).expect(200);
    expect(summary.body).toMatchObject({
      orderStatus: 'PAID', paymentMethod: 'STRIPE', totalMinor: 99800, paidMinor: 99800, refundedMinor: 0, refundableMinor: 99800, needsReview: false,
      payments: [{ provider: 'STRIPE', providerRef: intent.id, status: 'SUCCEEDED', amountMinor: 99800, currency: 'INR' }],
      attempts: [{ provider: 'STRIPE', providerPaymentId: intent.id, status: 'CAPTURED', amountMinor: 99800, errorCode: null }],
      refunds: [],
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

  it('applies the same webhook delivered 5 times concurrently exactly once', async () => {
    const variantId = await product(4);
    const order = await checkout(h, variantId, 'stripe');
    const succeeded = only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded');
    const results = await h.sim.deliver(succeeded, { times: 5, concurrently: true });
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.filter((r) => (r.body as { duplicate: boolean }).duplicate)).toHaveLength(4);

    expect(await webhookRows(succeeded.id)).toHaveLength(1);
    expect(await h.t.prisma.paymentAttempt.count({ where: { orderId: order.orderId, status: 'CAPTURED' } })).toBe(1);
    expect(await h.t.prisma.refund.count({ where: { orderId: order.orderId } })).toBe(0);
    expect(await salesOf(h, order.orderId)).toBe(1);
    expect((await history(order.orderId)).filter((e) => e.event === 'PAYMENT_SUCCEEDED')).toHaveLength(1);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 3, reserved: 0 });
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
  });

  it('rejects bad signatures with 400 and stores nothing', async () => {
    const order = await checkout(h, await product(2), 'stripe');
    const succeeded = only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded');
    for (const tamper of ['signature', 'body', 'stale-timestamp', 'future-timestamp'] as const) {
      const [res] = await h.sim.deliver(succeeded, { tamper });
      expect(res).toMatchObject({ status: 400, body: { statusCode: 400, message: expect.stringContaining('signature') } });
    }
    const unsigned = await h.t.http.post('/webhooks/stripe').set('Content-Type', 'application/json').send(succeeded.body);
    expect(unsigned.status).toBe(400);
    expect(await webhookRows(succeeded.id)).toHaveLength(0);
    expect(await orderStatus(h, order.orderId)).toBe('PAYMENT_PENDING');
    expect(await h.t.prisma.paymentAttempt.count({ where: { orderId: order.orderId } })).toBe(0);
  });

  it('accepts a signature timestamp a little ahead of our clock, within the tolerance', async () => {
    const order = await checkout(h, await product(2), 'stripe');
    const succeeded = only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded');
    const res = await h.t.http.post('/webhooks/stripe').set('Content-Type', 'application/json')
      .set('Stripe-Signature', h.sim.stripe.sign(succeeded.body, nowSeconds() + 60)).send(succeeded.body).expect(200);
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
    expect((await paymentSummary(h, order.orderId).expect(200)).body).toMatchObject({ paidMinor: 49900, refundedMinor: 0, pendingRefundMinor: 0, needsReview: false });
    const refunded = only(h.sim.stripe.dashboardRefund(intentId, 10000), 'charge.refunded');
    await h.sim.deliver(refunded);

    expect(await orderStatus(h, order.orderId)).toBe('PARTIALLY_REFUNDED');
    const summary = await paymentSummary(h, order.orderId).expect(200);
    expect(summary.body).toMatchObject({ paidMinor: 49900, refundedMinor: 10000, pendingRefundMinor: 0, refundableMinor: 39900, needsReview: false });
    expect(summary.body.attempts).toEqual([expect.objectContaining({ providerPaymentId: intentId, status: 'CAPTURED', amountMinor: 49900, errorCode: null })]);
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

  it('keeps a paid order paid when an earlier failure arrives after the success', async () => {
    const order = await checkout(h, await product(2), 'stripe');
    const intentId = intentOf(order.payment).id;
    const failed = only(h.sim.stripe.pay(intentId, { outcome: 'failed' }), 'payment_intent.payment_failed');
    const succeeded = only(h.sim.stripe.pay(intentId), 'payment_intent.succeeded');
    await h.sim.deliverAll([failed, succeeded], 'reversed');
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    const attempts = await h.t.prisma.paymentAttempt.findMany({ where: { orderId: order.orderId }, orderBy: { createdAt: 'asc' } });
    expect(attempts.map((a) => [a.status, a.errorCode])).toEqual([['CAPTURED', null], ['FAILED', 'insufficient_funds']]);
    expect((await history(order.orderId)).map((e) => e.toStatus)).toEqual(['CREATED', 'PAYMENT_PENDING', 'PAID']);
  });

  it('applies a refund that arrives before the payment it refunds', async () => {
    const variantId = await product(3);
    const order = await checkout(h, variantId, 'stripe');
    const intentId = intentOf(order.payment).id;
    const succeeded = only(h.sim.stripe.pay(intentId), 'payment_intent.succeeded');
    const refunded = only(h.sim.stripe.dashboardRefund(intentId), 'charge.refunded');
    await h.sim.deliverAll([succeeded, refunded], 'reversed');
    expect(await orderStatus(h, order.orderId)).toBe('REFUNDED');
    const summary = await paymentSummary(h, order.orderId).expect(200);
    expect(summary.body).toMatchObject({ paidMinor: 49900, refundedMinor: 49900, refundableMinor: 0, refunds: [{ status: 'SUCCEEDED', reason: 'Refunded at the provider', automatic: false }] });
    expect((await history(order.orderId)).map((e) => e.event)).toEqual(['CHECKOUT', 'AWAIT_PAYMENT', 'PAYMENT_SUCCEEDED', 'REFUND_FULL']);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 3, reserved: 0 });
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
  });

  it('does not mark an order paid when the captured amount does not match, and flags it for review', async () => {
    const variantId = await product(2);
    const order = await checkout(h, variantId, 'stripe');
    const succeeded = only(h.sim.stripe.pay(intentOf(order.payment).id, { amount: 100 }), 'payment_intent.succeeded');
    await h.sim.deliver(succeeded);
    const stored = await h.t.prisma.order.findUniqueOrThrow({ where: { id: order.orderId } });
    expect(stored).toMatchObject({ status: 'PAYMENT_PENDING', needsReview: true });
    expect(await h.t.prisma.paymentAttempt.findMany({ where: { orderId: order.orderId } })).toEqual([
      expect.objectContaining({ status: 'CAPTURED', amountMinor: 100, errorCode: 'AMOUNT_MISMATCH' }),
    ]);
    const audit = await h.t.http.get(`/audit?entityType=order&entityId=${order.orderId}`).set(h.support.bearer(h.admin.token)).expect(200);
    expect(JSON.stringify(audit.body)).toContain('order.flagged_for_review');
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 1 });
  });

  it('keeps the order payable after a failed attempt; the retry pays it', async () => {
    const order = await checkout(h, await product(2), 'stripe');
    const intentId = intentOf(order.payment).id;
    const failed = only(h.sim.stripe.pay(intentId, { outcome: 'failed', declineCode: 'card_declined' }), 'payment_intent.payment_failed');
    await h.sim.deliver(failed);
    expect(await orderStatus(h, order.orderId)).toBe('PAYMENT_PENDING');
    const retry = await h.t.http.post(`/orders/${order.orderId}/payment`).set(h.support.bearer(order.token)).expect(200);
    expect(retry.body.clientSecret).toBe(order.payment!.clientSecret);
    await h.sim.deliver(only(h.sim.stripe.pay(intentId), 'payment_intent.succeeded'));
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    expect((await history(order.orderId)).map((e) => [e.event, e.toStatus])).toEqual([
      ['CHECKOUT', 'CREATED'], ['AWAIT_PAYMENT', 'PAYMENT_PENDING'], ['PAYMENT_FAILED', 'PAYMENT_PENDING'], ['PAYMENT_SUCCEEDED', 'PAID'],
    ]);
    const summary = await paymentSummary(h, order.orderId).expect(200);
    expect(summary.body.attempts.map((a: { status: string }) => a.status)).toEqual(['FAILED', 'CAPTURED']);
  });

  it('re-reserves and marks paid a success that arrives after expiry when stock allows', async () => {
    const variantId = await product(3);
    const order = await checkout(h, variantId, 'stripe');
    await expireOrder(h, order.orderId);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 3, reserved: 0 });
    await h.sim.deliver(only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded'));
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
    expect((await history(order.orderId)).at(-1)).toMatchObject({ event: 'LATE_PAYMENT_ACCEPTED', fromStatus: 'EXPIRED', toStatus: 'PAID', actorType: 'PROVIDER' });
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
  });

  it('refunds automatically a success that arrives after expiry when the stock is gone', async () => {
    const variantId = await product(1);
    const late = await checkout(h, variantId, 'stripe');
    await expireOrder(h, late.orderId);
    await checkout(h, variantId, 'cod');
    const [res] = await h.sim.deliver(only(h.sim.stripe.pay(intentOf(late.payment).id), 'payment_intent.succeeded'));
    expect(res.status).toBe(200);
    expect(await orderStatus(h, late.orderId)).toBe('EXPIRED');
    const intent = intentOf(late.payment);
    const refunds = [...h.sim.stripe.refunds.values()].filter((r) => r.payment_intent === intent.id);
    expect(refunds).toEqual([expect.objectContaining({ amount: 49900, status: 'succeeded' })]);
    expect(await h.t.prisma.refund.findMany({ where: { orderId: late.orderId } })).toEqual([
      expect.objectContaining({ automatic: true, status: 'SUCCEEDED', providerRefundId: refunds[0].id, amountMinor: 49900 }),
    ]);
    expect(await h.t.prisma.paymentAttempt.findFirst({ where: { orderId: late.orderId } })).toMatchObject({ status: 'CAPTURED', errorCode: 'LATE_PAYMENT_REFUNDED' });
    const actions = (await h.t.prisma.auditLog.findMany({ where: { entityType: 'order', entityId: late.orderId } })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['refund.automatic_requested', 'refund.succeeded']));
    expect(await stockOf(h, variantId)).toEqual({ onHand: 0, reserved: 0 });
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
  });

  it('refunds partly, then fully, only as the provider confirms, never beyond what was captured', async () => {
    const variantId = await product(2);
    const order = await checkout(h, variantId, 'stripe');
    await h.sim.deliver(only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded'));

    await h.t.http.post(`/orders/${order.orderId}/refunds`).set(h.support.bearer(h.admin.token)).send({ amountMinor: 100, reason: 'no key' }).expect(400);
    await h.t.http.post(`/orders/${order.orderId}/refunds`).set(h.support.bearer(order.token)).set('Idempotency-Key', randomUUID()).send({ reason: 'mine' }).expect(403);

    const key = randomUUID();
    const partial = await adminRefund(h, order.orderId, { amountMinor: 20000, reason: 'Damaged box' }, key).expect(201);
    expect(partial.body).toMatchObject({ orderStatus: 'PARTIALLY_REFUNDED', refunds: [{ status: 'SUCCEEDED', amountMinor: 20000, automatic: false }] });
    const replay = await adminRefund(h, order.orderId, { amountMinor: 20000, reason: 'Damaged box' }, key).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(partial.body);
    const atStripe = () => [...h.sim.stripe.refunds.values()].filter((r) => r.metadata.orderId === order.orderId);
    expect(atStripe()).toHaveLength(1);

    const tooMuch = await adminRefund(h, order.orderId, { amountMinor: 29901, reason: 'Too much' }).expect(422);
    expect(tooMuch.body.details).toEqual({ refundableMinor: 29900, currency: 'INR' });
    const rest = await adminRefund(h, order.orderId, { reason: 'Cancelled by customer' }).expect(201);
    expect(rest.body).toMatchObject({ orderStatus: 'REFUNDED', refunds: [{ status: 'SUCCEEDED', amountMinor: 29900 }] });
    await adminRefund(h, order.orderId, { reason: 'Again' }).expect(422);

    expect(atStripe().map((r) => r.amount).sort()).toEqual([20000, 29900]);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
    const summary = await paymentSummary(h, order.orderId).expect(200);
    expect(summary.body).toMatchObject({ paidMinor: 49900, refundedMinor: 49900, pendingRefundMinor: 0, refundableMinor: 0 });
    expect((await history(order.orderId)).map((e) => e.event).slice(-2)).toEqual(['REFUND_PARTIAL', 'REFUND_FULL']);
    expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
  });

  it('moves the order only when a pending refund is confirmed by webhook', async () => {
    const order = await checkout(h, await product(2), 'stripe');
    await h.sim.deliver(only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded'));
    h.sim.stripe.refundOutcome = 'pending';
    try {
      const res = await adminRefund(h, order.orderId, { amountMinor: 10000, reason: 'Late delivery' }).expect(201);
      expect(res.body).toMatchObject({ orderStatus: 'PAID', refunds: [{ status: 'PENDING', providerRefundId: expect.stringMatching(/^re_/) }] });
      await adminRefund(h, order.orderId, { amountMinor: 39901, reason: 'Pending counts' }).expect(422);
      const events = h.sim.stripe.settleRefund(res.body.refunds[0].providerRefundId);
      await h.sim.deliver(only(events, 'charge.refunded'));
      expect(await orderStatus(h, order.orderId)).toBe('PARTIALLY_REFUNDED');
      expect(await h.t.prisma.refund.findUniqueOrThrow({ where: { id: res.body.refunds[0].id } })).toMatchObject({ status: 'SUCCEEDED' });
    } finally {
      h.sim.stripe.refundOutcome = 'succeeded';
    }
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
    expect(await h.t.prisma.refund.findUniqueOrThrow({ where: { id: refundId } })).toMatchObject({ status: 'SUCCEEDED', providerRefundId: atStripe()[0].id });
  });

  it('cancels the PaymentIntent of an expired order; one that succeeded meanwhile becomes a late payment', async () => {
    const variantId = await product(3);
    const abandoned = await checkout(h, variantId, 'stripe');
    const paidMeanwhile = await checkout(h, variantId, 'stripe');
    await expireOrder(h, abandoned.orderId);
    await expireOrder(h, paidMeanwhile.orderId);
    h.sim.stripe.pay(intentOf(paidMeanwhile.payment).id);
    await h.t.prisma.payment.updateMany({ where: { orderId: { in: [abandoned.orderId, paidMeanwhile.orderId] } }, data: { updatedAt: LONG_AGO } });

    expect(await h.t.app.get(PaymentRecoveryJob).run(sinceLongAgo())).toEqual({ refundsResumed: 0, paymentsCancelled: 2 });
    expect(intentOf(abandoned.payment).status).toBe('canceled');
    expect(await h.t.prisma.payment.findFirst({ where: { orderId: abandoned.orderId } })).toMatchObject({ status: 'CANCELLED' });
    expect(await orderStatus(h, abandoned.orderId)).toBe('EXPIRED');
    expect(await orderStatus(h, paidMeanwhile.orderId)).toBe('PAID');
    expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
    // The canceled event arrives later and changes nothing more.
    const [canceled] = await h.sim.deliver(h.sim.stripe.events.filter((e) => e.type === 'payment_intent.canceled' && e.body.includes(abandoned.orderId))[0]);
    expect(canceled.body).toMatchObject({ result: expect.stringContaining('already cancelled') });
  });

  it('reconciles an order whose webhooks never arrived', async () => {
    const variantId = await product(2);
    const order = await checkout(h, variantId, 'stripe');
    h.sim.stripe.pay(intentOf(order.payment).id);
    await h.t.http.post(`/orders/${order.orderId}/payment/reconcile`).set(h.support.bearer(order.token)).expect(403);
    const res = await h.t.http.post(`/orders/${order.orderId}/payment/reconcile`).set(h.support.bearer(h.admin.token)).expect(200);
    expect(res.body).toMatchObject({ orderStatus: 'PAID', paidMinor: 49900 });
    await h.t.http.post(`/orders/${order.orderId}/payment/reconcile`).set(h.support.bearer(h.admin.token)).expect(200);
    expect(await salesOf(h, order.orderId)).toBe(1);
    expect(await stockOf(h, variantId)).toEqual({ onHand: 1, reserved: 0 });
  });

  it('never creates a second PaymentIntent when the answers were lost, and still traces a payment made on it', async () => {
    const variantId = await product(2);
    // stripe-node tries three times with the same Idempotency-Key; every answer is lost, so checkout reports no payment.
    h.sim.injectFault('POST /v1/payment_intents', { kind: 'drop-after-processing' }, 3);
    const customer = await h.support.registerCustomer(h.t);
    const res = await h.t.http.post('/orders/checkout').set(h.support.bearer(customer.token)).send({
      items: [{ variantId, quantity: 1 }], contact: { name: 'Meera', email: customer.email, phone: '+919800000002' },
      shippingAddress: { line1: '9 Lake Rd', city: 'Pune', postalCode: '411001', country: 'IN' }, paymentMethod: 'stripe',
    }).expect(201);
    expect(res.body).toMatchObject({ payment: null, paymentError: { statusCode: 503 } });
    const orderId: string = res.body.order.id;
    const intents = () => [...h.sim.stripe.paymentIntents.values()].filter((pi) => pi.metadata.orderId === orderId);
    expect(intents()).toHaveLength(1);
    expect(await h.t.prisma.payment.findMany({ where: { orderId } })).toEqual([expect.objectContaining({ providerRef: null, status: 'PENDING' })]);

    // The PaymentIntent gets paid anyway (its metadata names the order): the webhook adopts it and pays the order.
    await h.sim.deliver(only(h.sim.stripe.pay(intents()[0].id), 'payment_intent.succeeded'));
    expect(await orderStatus(h, orderId)).toBe('PAID');
    expect(await h.t.prisma.payment.findMany({ where: { orderId } })).toEqual([expect.objectContaining({ providerRef: intents()[0].id, status: 'SUCCEEDED' })]);
    const retry = await h.t.http.post(`/orders/${orderId}/payment`).set(h.support.bearer(customer.token)).expect(409);
    expect(retry.body.details).toEqual({ currentStatus: 'PAID' });
    expect(intents()).toHaveLength(1);
  });

  it('hands out the PaymentIntent whose creation answer was lost when payment is retried', async () => {
    const variantId = await product(2);
    h.sim.injectFault('POST /v1/payment_intents', { kind: 'drop-after-processing' }, 3);
    const customer = await h.support.registerCustomer(h.t);
    const res = await h.t.http.post('/orders/checkout').set(h.support.bearer(customer.token)).send({
      items: [{ variantId, quantity: 1 }], contact: { name: 'Kiran', email: customer.email, phone: '+919800000003' },
      shippingAddress: { line1: '3 Fort Rd', city: 'Kochi', postalCode: '682001', country: 'IN' }, paymentMethod: 'stripe',
    }).expect(201);
    expect(res.body.payment).toBeNull();
    const retry = await h.t.http.post(`/orders/${res.body.order.id}/payment`).set(h.support.bearer(customer.token)).expect(200);
    const intents = [...h.sim.stripe.paymentIntents.values()].filter((pi) => pi.metadata.orderId === res.body.order.id);
    expect(intents).toHaveLength(1);
    expect(retry.body).toMatchObject({ paymentIntentId: intents[0].id, clientSecret: intents[0].client_secret });
    expect(h.sim.callsTo('POST /v1/payment_intents').filter((c) => c.idempotencyKey === `orderline-order-${res.body.order.id}`)).toHaveLength(4);
  });

  it('charges zero-decimal currencies in whole units', async () => {
    const variantId = await product(2, 1500, 'JPY');
    const order = await checkout(h, variantId, 'stripe');
    expect(intentOf(order.payment)).toMatchObject({ amount: 1500, currency: 'jpy' });
    await h.sim.deliver(only(h.sim.stripe.pay(intentOf(order.payment).id), 'payment_intent.succeeded'));
    expect(await orderStatus(h, order.orderId)).toBe('PAID');
    expect(await h.t.prisma.paymentAttempt.findFirst({ where: { orderId: order.orderId } })).toMatchObject({ amountMinor: 1500, currency: 'JPY', errorCode: null });
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
