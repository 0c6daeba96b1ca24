import { randomUUID } from 'node:crypto';
import { registerPaymentProvider } from '../src/payments/provider-registry.js';
import { AcmePayProvider } from './support/acmepay.provider.js';
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
  type CheckoutResult,
  type PaymentsHarness,
} from './support/payments-harness.js';
import type { ProviderSimulator, SimEvent } from './provider-simulator/provider-simulator.js';

// The fourth provider exists only in the tests; adding it to the app is its class and this line.
registerPaymentProvider(AcmePayProvider);

/**
 * How the contract drives one provider through the simulator: the customer pays (or fails to), staff refund in the
 * provider's dashboard, refunds settle later. Everything else — webhooks, captures, refunds, reconciliation — goes
 * through the app exactly as for any other provider.
 */
interface ProviderDriver {
  name: string;
  code: string;
  /** The provider's payment object for the order, from the instructions checkout returned. */
  ref(order: CheckoutResult): string;
  /** The customer pays; the webhook that reports the capture, and the provider's id of the captured payment. */
  pay(sim: ProviderSimulator, ref: string, options?: { amount?: number }): { captured: SimEvent; providerPaymentId: string };
  /** The customer's payment fails: the webhook that reports it. */
  fail(sim: ProviderSimulator, ref: string): SimEvent;
  /** Staff refund at the provider: the webhook that reports the completed refund (carrying its capture). */
  dashboardRefund(sim: ProviderSimulator, ref: string, providerPaymentId: string, amount: number): SimEvent;
  /** Amounts of the refunds Orderline made at the provider for the order. */
  refundedAtProvider(sim: ProviderSimulator, orderId: string): number[];
  /** New refunds stay pending until `settle` (true), or complete at once (false). */
  holdRefunds(sim: ProviderSimulator, hold: boolean): void;
  /** A pending refund completes: the webhook that reports it. */
  settle(sim: ProviderSimulator, providerRefundId: string): SimEvent;
}

const only = (events: SimEvent[], type: string): SimEvent => {
  const found = events.filter((e) => e.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} event, got ${found.length}`);
  return found[0];
};

const DRIVERS: ProviderDriver[] = [
  {
    name: 'stripe',
    code: 'STRIPE',
    ref: (order) => order.payment!.paymentIntentId,
    pay: (sim, ref, options) => {
      const events = sim.stripe.pay(ref, options);
      return { captured: only(events, 'payment_intent.succeeded'), providerPaymentId: ref };
    },
    fail: (sim, ref) => only(sim.stripe.pay(ref, { outcome: 'failed' }), 'payment_intent.payment_failed'),
    dashboardRefund: (sim, ref, _payment, amount) => only(sim.stripe.dashboardRefund(ref, amount), 'charge.refunded'),
    refundedAtProvider: (sim, orderId) =>
      [...sim.stripe.refunds.values()].filter((r) => r.metadata.orderId === orderId).map((r) => r.amount),
    holdRefunds: (sim, hold) => {
      sim.stripe.refundOutcome = hold ? 'pending' : 'succeeded';
    },
    settle: (sim, id) => only(sim.stripe.settleRefund(id), 'charge.refunded'),
  },
  {
    name: 'razorpay',
    code: 'RAZORPAY',
    ref: (order) => order.payment!.razorpayOrderId,
    pay: (sim, ref, options) => {
      const paid = sim.razorpay.pay(ref, options);
      return { captured: only(paid.events, 'payment.captured'), providerPaymentId: paid.payment.id };
    },
    fail: (sim, ref) => only(sim.razorpay.pay(ref, { outcome: 'failed' }).events, 'payment.failed'),
    dashboardRefund: (sim, _ref, payment, amount) => only(sim.razorpay.dashboardRefund(payment, amount), 'refund.processed'),
    refundedAtProvider: (sim, orderId) =>
      [...sim.razorpay.refunds.values()].filter((r) => (r.notes as Record<string, string>).orderId === orderId).map((r) => r.amount),
    holdRefunds: (sim, hold) => {
      sim.razorpay.refundOutcome = hold ? 'pending' : 'processed';
    },
    settle: (sim, id) => only(sim.razorpay.processRefund(id), 'refund.processed'),
  },
  {
    name: 'acmepay',
    code: 'ACMEPAY',
    ref: (order) => order.payment!.checkoutId,
    pay: (sim, ref, options) => {
      const paid = sim.acmepay.pay(ref, options);
      return { captured: only(paid.events, 'payment.captured'), providerPaymentId: paid.payment.id };
    },
    fail: (sim, ref) => only(sim.acmepay.pay(ref, { outcome: 'failed' }).events, 'payment.failed'),
    dashboardRefund: (sim, _ref, payment, amount) => only(sim.acmepay.dashboardRefund(payment, amount), 'refund.succeeded'),
    refundedAtProvider: (sim, orderId) =>
      [...sim.acmepay.refunds.values()].filter((r) => r.metadata.orderId === orderId).map((r) => r.amount),
    holdRefunds: (sim, hold) => {
      sim.acmepay.refundOutcome = hold ? 'pending' : 'succeeded';
    },
    settle: (sim, id) => only(sim.acmepay.settleRefund(id), 'refund.succeeded'),
  },
];

describe('the payment provider contract', () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await startPaymentsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const product = async (stock: number, priceMinor = 49900) =>
    (await createProductWithStock(h.t.prisma, [{ stock, priceMinor, currency: 'INR' }])).variants[0].id;
  const history = async (orderId: string) =>
    (await h.t.prisma.orderStatusHistory.findMany({ where: { orderId }, orderBy: { id: 'asc' } })).map((e) => e.event);
  const captures = (orderId: string) => h.t.prisma.paymentAttempt.count({ where: { orderId, status: 'CAPTURED' } });

  it('offers all four providers, the test-only one included, from the registry', async () => {
    const methods = await h.t.http.get('/payments/methods').expect(200);
    expect(methods.body.methods).toEqual(expect.arrayContaining(['STRIPE', 'RAZORPAY', 'COD', 'ACMEPAY']));
    expect(methods.body.providers.find((p: { name: string }) => p.name === 'acmepay')).toEqual({
      method: 'ACMEPAY',
      name: 'acmepay',
      label: 'AcmePay',
      instruments: ['card', 'bank_transfer'],
      currencies: ['INR', 'USD', 'EUR'],
      collectsOnDelivery: false,
    });
    const docs = (await h.t.http.get('/docs-json').expect(200)).body;
    expect(docs.components.schemas.PaymentMethod.enum).toEqual(expect.arrayContaining(['ACMEPAY']));
    expect(docs.paths['/webhooks/acmepay'].post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Acme-Signature', in: 'header', required: true })]),
    );
    expect(Object.keys(docs.components.schemas.CredentialsInput.properties)).toEqual(expect.arrayContaining(['acmepay']));
    await h.t.http.post('/webhooks/cod').send({}).expect(404);
    await h.t.http.post('/webhooks/paypal').send({}).expect(404);
  });

  it('refuses a checkout in a currency the provider does not take, naming paymentMethod', async () => {
    const yen = (await createProductWithStock(h.t.prisma, [{ stock: 2, priceMinor: 1500, currency: 'JPY' }])).variants[0].id;
    const customer = await h.support.registerCustomer(h.t);
    const res = await h.t.http
      .post('/orders/checkout')
      .set(h.support.bearer(customer.token))
      .send({
        items: [{ variantId: yen, quantity: 1 }],
        contact: { name: 'Asha', email: customer.email, phone: '+919812345678' },
        shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
        paymentMethod: 'acmepay',
      })
      .expect(400);
    expect(res.body.details).toEqual([{ field: 'paymentMethod', errors: ['AcmePay does not take JPY (it takes INR, USD, EUR)'] }]);
    expect(await stockOf(h, yen)).toEqual({ onHand: 2, reserved: 0 });
  });

  it("refunds a late payment that would take its customer past a drop's limit, and sells nothing", async () => {
    const [stripe] = DRIVERS;
    const { id: productId, variants } = await createProductWithStock(h.t.prisma, [{ stock: 5, priceMinor: 49900, currency: 'INR' }]);
    const drop = await h.t.http
      .post('/admin/drops')
      .set(h.support.bearer(h.admin.token))
      .send({ name: 'One each', startsAt: new Date(Date.now() - 1000).toISOString(), productIds: [productId], perCustomerLimit: 1 })
      .expect(201);
    const counted = async () =>
      (await h.t.prisma.dropPurchaseCount.findFirst({ where: { dropId: drop.body.id, customerKey: 'phone:9812345678', scope: 'drop' } }))
        ?.quantity;
    // The customer's card order expires (its unit goes back to them), so they buy one again with cash on delivery...
    const expired = await checkout(h, variants[0].id, stripe.name);
    await expireOrder(h, expired.orderId);
    await checkout(h, variants[0].id, 'cod');
    const before = await stockOf(h, variants[0].id);
    // ...and then the first payment arrives after all: selling it would make two units of a drop that allows one.
    const [res] = await h.sim.deliver(stripe.pay(h.sim, stripe.ref(expired)).captured);
    expect(res.status).toBe(200);
    expect(await orderStatus(h, expired.orderId)).toBe('EXPIRED');
    expect(await h.t.prisma.paymentAttempt.findFirst({ where: { orderId: expired.orderId } })).toMatchObject({
      status: 'CAPTURED',
      errorCode: 'LATE_PAYMENT_REFUNDED',
      errorMessage: expect.stringContaining('One each allows 1 unit per customer'),
    });
    expect(stripe.refundedAtProvider(h.sim, expired.orderId)).toEqual([49900]);
    expect(await stockOf(h, variants[0].id)).toEqual(before);
    expect(await counted()).toBe(1);
    expect(await ledgerViolations(h.t.prisma, [variants[0].id])).toEqual([]);
  });

  describe.each(DRIVERS)('$name', (driver) => {
    const webhookRows = (eventId: string) => h.t.prisma.webhookEvent.findMany({ where: { provider: driver.code, eventId } });

    it('pays the order through its capture webhook, once however often and however concurrently it is delivered', async () => {
      const variantId = await product(5);
      const order = await checkout(h, variantId, driver.name, 2);
      expect(order).toMatchObject({ status: 'PAYMENT_PENDING', payment: { method: driver.code, amountMinor: 99800, currency: 'INR' } });
      const { captured, providerPaymentId } = driver.pay(h.sim, driver.ref(order));
      const results = await h.sim.deliver(captured, { times: 5, concurrently: true });
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(results.filter((r) => (r.body as { duplicate: boolean }).duplicate)).toHaveLength(4);
      expect(results.map((r) => (r.body as { result: string }).result)).toContain('order paid');

      expect(await orderStatus(h, order.orderId)).toBe('PAID');
      expect(await stockOf(h, variantId)).toEqual({ onHand: 3, reserved: 0 });
      expect(await salesOf(h, order.orderId)).toBe(1);
      expect(await captures(order.orderId)).toBe(1);
      expect(await h.t.prisma.refund.count({ where: { orderId: order.orderId } })).toBe(0);
      expect((await history(order.orderId)).filter((e) => e === 'PAYMENT_SUCCEEDED')).toHaveLength(1);
      expect(await webhookRows(captured.id)).toEqual([expect.objectContaining({ type: captured.type, result: 'order paid' })]);
      expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
      const summary = await h.t.http.get(`/orders/${order.orderId}/payment`).set(h.support.bearer(order.token)).expect(200);
      expect(summary.body).toMatchObject({
        orderStatus: 'PAID',
        paymentMethod: driver.code,
        totalMinor: 99800,
        paidMinor: 99800,
        refundedMinor: 0,
        refundableMinor: 99800,
        needsReview: false,
        payments: [{ provider: driver.code, providerRef: driver.ref(order), status: 'SUCCEEDED' }],
        attempts: [{ provider: driver.code, providerPaymentId, status: 'CAPTURED', amountMinor: 99800, errorCode: null }],
      });
    });

    it('refuses a bad, stale, future or missing signature with 400 and stores nothing', async () => {
      const order = await checkout(h, await product(2), driver.name);
      const { captured } = driver.pay(h.sim, driver.ref(order));
      for (const tamper of [
        'signature',
        'body',
        ...(driver.name === 'razorpay' ? [] : (['stale-timestamp', 'future-timestamp'] as const)),
      ] as const) {
        const [res] = await h.sim.deliver(captured, { tamper });
        expect(res).toMatchObject({ status: 400, body: { statusCode: 400, message: expect.stringContaining('ignature') } });
      }
      await h.t.http.post(`/webhooks/${driver.name}`).set('Content-Type', 'application/json').send(captured.body).expect(400);
      expect(await webhookRows(captured.id)).toHaveLength(0);
      expect(await orderStatus(h, order.orderId)).toBe('PAYMENT_PENDING');
      expect(await h.t.prisma.paymentAttempt.count({ where: { orderId: order.orderId } })).toBe(0);
    });

    it('keeps the order payable after a failure, and never moves it back when the failure arrives after the success', async () => {
      const order = await checkout(h, await product(2), driver.name);
      const ref = driver.ref(order);
      await h.sim.deliver(driver.fail(h.sim, ref));
      expect(await orderStatus(h, order.orderId)).toBe('PAYMENT_PENDING');
      const late = driver.fail(h.sim, ref);
      await h.sim.deliverAll([driver.pay(h.sim, ref).captured, late]);
      expect(await orderStatus(h, order.orderId)).toBe('PAID');
      const attempts = await h.t.prisma.paymentAttempt.findMany({ where: { orderId: order.orderId }, orderBy: { createdAt: 'asc' } });
      expect(attempts.map((a) => a.status)).toEqual(['FAILED', 'CAPTURED', 'FAILED']);
      expect(await history(order.orderId)).toEqual(['CHECKOUT', 'AWAIT_PAYMENT', 'PAYMENT_FAILED', 'PAYMENT_SUCCEEDED']);
    });

    it('applies a refund made at the provider, even one that arrives before its capture', async () => {
      const variantId = await product(3);
      const order = await checkout(h, variantId, driver.name);
      const ref = driver.ref(order);
      const { captured, providerPaymentId } = driver.pay(h.sim, ref);
      const refunded = driver.dashboardRefund(h.sim, ref, providerPaymentId, 10000);
      await h.sim.deliverAll([captured, refunded], 'reversed');
      expect(await orderStatus(h, order.orderId)).toBe('PARTIALLY_REFUNDED');
      expect(await history(order.orderId)).toEqual(['CHECKOUT', 'AWAIT_PAYMENT', 'PAYMENT_SUCCEEDED', 'REFUND_PARTIAL']);
      const summary = await paymentSummary(h, order.orderId).expect(200);
      expect(summary.body).toMatchObject({
        paidMinor: 49900,
        refundedMinor: 10000,
        refundableMinor: 39900,
        refunds: [{ status: 'SUCCEEDED', reason: 'Refunded at the provider', automatic: false }],
      });
      expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
      expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
    });

    it('flags a capture that does not match the order for review instead of marking it paid', async () => {
      const variantId = await product(2);
      const order = await checkout(h, variantId, driver.name);
      await h.sim.deliver(driver.pay(h.sim, driver.ref(order), { amount: 100 }).captured);
      expect(await h.t.prisma.order.findUniqueOrThrow({ where: { id: order.orderId } })).toMatchObject({
        status: 'PAYMENT_PENDING',
        needsReview: true,
      });
      expect(await h.t.prisma.paymentAttempt.findMany({ where: { orderId: order.orderId } })).toEqual([
        expect.objectContaining({ status: 'CAPTURED', amountMinor: 100, errorCode: 'AMOUNT_MISMATCH' }),
      ]);
      expect(await h.t.prisma.auditLog.count({ where: { entityId: order.orderId, action: 'order.flagged_for_review' } })).toBe(1);
      expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 1 });
    });

    it('takes a success after expiry as a late payment when stock allows, and refunds it automatically when not', async () => {
      const variantId = await product(1);
      const first = await checkout(h, variantId, driver.name);
      await expireOrder(h, first.orderId);
      await h.sim.deliver(driver.pay(h.sim, driver.ref(first)).captured);
      expect(await orderStatus(h, first.orderId)).toBe('PAID');
      expect(
        (await h.t.prisma.orderStatusHistory.findMany({ where: { orderId: first.orderId }, orderBy: { id: 'asc' } })).at(-1),
      ).toMatchObject({ event: 'LATE_PAYMENT_ACCEPTED', fromStatus: 'EXPIRED', toStatus: 'PAID', actorType: 'PROVIDER' });

      const other = await product(1);
      const late = await checkout(h, other, driver.name);
      await expireOrder(h, late.orderId);
      await checkout(h, other, 'cod');
      const [res] = await h.sim.deliver(driver.pay(h.sim, driver.ref(late)).captured);
      expect(res.status).toBe(200);
      expect(await orderStatus(h, late.orderId)).toBe('EXPIRED');
      expect(await h.t.prisma.refund.findMany({ where: { orderId: late.orderId } })).toEqual([
        expect.objectContaining({ automatic: true, status: 'SUCCEEDED', amountMinor: 49900, providerRefundId: expect.any(String) }),
      ]);
      expect(await h.t.prisma.paymentAttempt.findFirst({ where: { orderId: late.orderId } })).toMatchObject({
        status: 'CAPTURED',
        errorCode: 'LATE_PAYMENT_REFUNDED',
      });
      expect(driver.refundedAtProvider(h.sim, late.orderId)).toEqual([49900]);
      expect((await h.t.prisma.auditLog.findMany({ where: { entityType: 'order', entityId: late.orderId } })).map((a) => a.action)).toEqual(
        expect.arrayContaining(['refund.automatic_requested', 'refund.succeeded']),
      );
      expect(await stockOf(h, variantId)).toEqual({ onHand: 0, reserved: 0 });
      expect(await stockOf(h, other)).toEqual({ onHand: 0, reserved: 0 });
      expect(await ledgerViolations(h.t.prisma, [variantId, other])).toEqual([]);
    });

    it('refunds through the provider, moving the order only as it confirms, never beyond what was captured', async () => {
      const variantId = await product(2);
      const order = await checkout(h, variantId, driver.name);
      await h.sim.deliver(driver.pay(h.sim, driver.ref(order)).captured);

      await h.t.http
        .post(`/orders/${order.orderId}/refunds`)
        .set(h.support.bearer(h.admin.token))
        .send({ amountMinor: 100, reason: 'no key' })
        .expect(400);
      await h.t.http
        .post(`/orders/${order.orderId}/refunds`)
        .set(h.support.bearer(order.token))
        .set('Idempotency-Key', randomUUID())
        .send({ reason: 'mine' })
        .expect(403);
      driver.holdRefunds(h.sim, true);
      try {
        const key = randomUUID();
        const pending = await adminRefund(h, order.orderId, { amountMinor: 20000, reason: 'Damaged box' }, key).expect(201);
        expect(pending.body).toMatchObject({
          orderStatus: 'PAID',
          refunds: [{ status: 'PENDING', amountMinor: 20000, providerRefundId: expect.any(String) }],
        });
        const replay = await adminRefund(h, order.orderId, { amountMinor: 20000, reason: 'Damaged box' }, key).expect(201);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        expect(replay.body).toEqual(pending.body);
        expect(driver.refundedAtProvider(h.sim, order.orderId)).toEqual([20000]);
        expect((await adminRefund(h, order.orderId, { amountMinor: 29901, reason: 'Pending counts' }).expect(422)).body.details).toEqual({
          refundableMinor: 29900,
          currency: 'INR',
        });
        await h.sim.deliver(driver.settle(h.sim, pending.body.refunds[0].providerRefundId), { times: 3 });
        expect(await orderStatus(h, order.orderId)).toBe('PARTIALLY_REFUNDED');
      } finally {
        driver.holdRefunds(h.sim, false);
      }
      const rest = await adminRefund(h, order.orderId, { reason: 'Cancelled by customer' }).expect(201);
      expect(rest.body).toMatchObject({ orderStatus: 'REFUNDED', refunds: [{ status: 'SUCCEEDED', amountMinor: 29900 }] });
      await adminRefund(h, order.orderId, { reason: 'Again' }).expect(422);

      expect(driver.refundedAtProvider(h.sim, order.orderId).sort()).toEqual([20000, 29900]);
      expect(await paymentSummary(h, order.orderId).expect(200)).toMatchObject({
        body: { paidMinor: 49900, refundedMinor: 49900, pendingRefundMinor: 0, refundableMinor: 0 },
      });
      expect((await history(order.orderId)).slice(-2)).toEqual(['REFUND_PARTIAL', 'REFUND_FULL']);
      expect(await stockOf(h, variantId)).toEqual({ onHand: 2, reserved: 0 });
      expect(await ledgerViolations(h.t.prisma, [variantId])).toEqual([]);
    });

    it('reconciles an order whose webhooks never arrived', async () => {
      const variantId = await product(2);
      const order = await checkout(h, variantId, driver.name);
      driver.pay(h.sim, driver.ref(order));
      await h.t.http.post(`/orders/${order.orderId}/payment/reconcile`).set(h.support.bearer(order.token)).expect(403);
      const res = await h.t.http.post(`/orders/${order.orderId}/payment/reconcile`).set(h.support.bearer(h.admin.token)).expect(200);
      expect(res.body).toMatchObject({ orderStatus: 'PAID', paidMinor: 49900 });
      await h.t.http.post(`/orders/${order.orderId}/payment/reconcile`).set(h.support.bearer(h.admin.token)).expect(200);
      expect(await salesOf(h, order.orderId)).toBe(1);
      expect(await stockOf(h, variantId)).toEqual({ onHand: 1, reserved: 0 });
    });
  });
});
