import { createHmac } from 'node:crypto';
import { clone, IdempotencyCache, nowSeconds, providerId, SimError, type Route, type SimRequest, type SimResponse } from './http-kit.js';

export interface RazorpaySimConfig {
  keyId: string;
  keySecret: string;
  webhookSecret: string;
}

/** One Razorpay webhook: body frozen when the event happens; the event id travels in X-Razorpay-Event-Id. */
export interface RazorpayEvent {
  provider: 'razorpay';
  id: string;
  type: string;
  body: string;
}

export interface RazorpayOrder {
  id: string;
  entity: 'order';
  amount: number;
  amount_paid: number;
  amount_due: number;
  currency: string;
  receipt: string | null;
  status: 'created' | 'attempted' | 'paid';
  attempts: number;
  notes: Record<string, string> | [];
  created_at: number;
}

export interface RazorpayPayment {
  id: string;
  entity: 'payment';
  amount: number;
  currency: string;
  status: 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';
  order_id: string;
  method: string;
  amount_refunded: number;
  refund_status: null | 'partial' | 'full';
  captured: boolean;
  error_code: string | null;
  error_description: string | null;
  notes: Record<string, string> | [];
  created_at: number;
}

export interface RazorpayRefund {
  id: string;
  entity: 'refund';
  amount: number;
  currency: string;
  payment_id: string;
  receipt: string | null;
  notes: Record<string, string> | [];
  status: 'pending' | 'processed' | 'failed';
  speed_requested: string;
  created_at: number;
}

const badRequest = (description: string, field?: string) =>
  new SimError(400, {
    error: {
      code: 'BAD_REQUEST_ERROR',
      description,
      source: 'business',
      step: 'payment_initiation',
      reason: 'input_validation_failed',
      metadata: {},
      ...(field && { field }),
    },
  });

/** Razorpay payment signature as Checkout hands it to the client: hex HMAC-SHA256(key secret, "order_id|payment_id"). */
export function razorpayPaymentSignature(keySecret: string, orderId: string, paymentId: string): string {
  return createHmac('sha256', keySecret).update(`${orderId}|${paymentId}`).digest('hex');
}

/** X-Razorpay-Signature: hex HMAC-SHA256(webhook secret, raw body). */
export function razorpayWebhookSignature(webhookSecret: string, body: string): string {
  return createHmac('sha256', webhookSecret).update(body).digest('hex');
}

/** The part of the Razorpay API Orderline's adapter calls (Orders, Payments, Refunds), plus the customer's side of paying. */
export class RazorpaySimulator {
  readonly orders = new Map<string, RazorpayOrder>();
  readonly payments = new Map<string, RazorpayPayment>();
  readonly refunds = new Map<string, RazorpayRefund>();
  readonly events: RazorpayEvent[] = [];
  /** Status new refunds get (Razorpay normal-speed refunds start 'pending' and are processed later). */
  refundOutcome: 'processed' | 'pending' = 'processed';
  private readonly idempotency = new IdempotencyCache();

  constructor(readonly config: RazorpaySimConfig) {}

  routes(): Route[] {
    return [
      { method: 'POST', pattern: '/v1/orders', handle: (req) => this.createOrder(req) },
      { method: 'GET', pattern: '/v1/orders', handle: (req) => this.listOrders(req) },
      { method: 'GET', pattern: '/v1/orders/:id', handle: (_req, p) => ({ status: 200, body: this.order(p.id) }) },
      { method: 'GET', pattern: '/v1/orders/:id/payments', handle: (_req, p) => this.orderPayments(p.id) },
      { method: 'GET', pattern: '/v1/payments/:id', handle: (_req, p) => ({ status: 200, body: this.payment(p.id) }) },
      { method: 'POST', pattern: '/v1/payments/:id/capture', handle: (req, p) => this.capture(req, p.id) },
      { method: 'POST', pattern: '/v1/payments/:id/refund', handle: (req, p) => this.refundPayment(req, p.id) },
      {
        method: 'GET',
        pattern: '/v1/payments/:id/refunds/:refundId',
        handle: (_req, p) => ({ status: 200, body: this.refund(p.id, p.refundId) }),
      },
    ];
  }

  authorize(req: SimRequest): SimResponse | undefined {
    const expected = `Basic ${Buffer.from(`${this.config.keyId}:${this.config.keySecret}`).toString('base64')}`;
    if (req.headers.authorization === expected) return undefined;
    return { status: 401, body: { error: { code: 'BAD_REQUEST_ERROR', description: 'Authentication failed' } } };
  }

  /**
   * The customer pays in Razorpay Checkout. Returns what the Checkout handler gives the client (with its signature)
   * and the webhooks Razorpay sends. `amount`/`currency` override what was paid; 'authorized' leaves capture to the merchant.
   */
  pay(
    orderId: string,
    options: { outcome?: 'captured' | 'authorized' | 'failed'; amount?: number; currency?: string } = {},
  ): {
    payment: RazorpayPayment;
    handler: { razorpay_order_id: string; razorpay_payment_id: string; razorpay_signature: string };
    events: RazorpayEvent[];
  } {
    const order = this.order(orderId);
    const outcome = options.outcome ?? 'captured';
    const payment: RazorpayPayment = {
      id: providerId('pay'),
      entity: 'payment',
      amount: options.amount ?? order.amount,
      currency: options.currency ?? order.currency,
      status: outcome === 'failed' ? 'failed' : 'authorized',
      order_id: order.id,
      method: 'upi',
      amount_refunded: 0,
      refund_status: null,
      captured: false,
      error_code: outcome === 'failed' ? 'BAD_REQUEST_ERROR' : null,
      error_description: outcome === 'failed' ? 'Payment failed because the bank declined it' : null,
      notes: [],
      created_at: nowSeconds(),
    };
    this.payments.set(payment.id, payment);
    order.attempts += 1;
    if (order.status === 'created') order.status = 'attempted';
    const handler = {
      razorpay_order_id: order.id,
      razorpay_payment_id: payment.id,
      razorpay_signature: razorpayPaymentSignature(this.config.keySecret, order.id, payment.id),
    };
    if (outcome === 'failed') return { payment, handler, events: [this.emit('payment.failed', { payment })] };
    const events = [this.emit('payment.authorized', { payment })];
    if (outcome === 'captured') events.push(...this.capturePayment(payment));
    return { payment, handler, events };
  }

  /** A refund made by staff in the Razorpay Dashboard (not through Orderline). Returns the events it emits. */
  dashboardRefund(paymentId: string, amount?: number): RazorpayEvent[] {
    const before = this.events.length;
    const response = this.refundPayment(
      { method: 'POST', path: '', query: new URLSearchParams(), headers: {}, rawBody: '', body: amount ? { amount } : {} },
      paymentId,
    );
    if (response.status !== 200) throw new Error(`dashboard refund refused: ${JSON.stringify(response.body)}`);
    return this.events.slice(before);
  }

  /** A pending refund is processed by the bank. */
  processRefund(refundId: string, status: 'processed' | 'failed' = 'processed'): RazorpayEvent[] {
    const refund = [...this.refunds.values()].find((r) => r.id === refundId);
    if (!refund) throw badRequest('The id provided does not exist');
    refund.status = status;
    const payment = this.payment(refund.payment_id);
    if (status === 'failed') {
      payment.amount_refunded -= refund.amount;
      return [this.emit('refund.failed', { refund, payment })];
    }
    return [this.emit('refund.processed', { refund, payment })];
  }

  emit(type: string, entities: { payment?: RazorpayPayment; order?: RazorpayOrder; refund?: RazorpayRefund }): RazorpayEvent {
    const payload = Object.fromEntries(Object.entries(entities).map(([name, entity]) => [name, { entity: clone(entity) }]));
    const body = JSON.stringify({
      entity: 'event',
      account_id: 'acc_Simulator0001',
      event: type,
      contains: Object.keys(entities),
      payload,
      created_at: nowSeconds(),
    });
    const event: RazorpayEvent = { provider: 'razorpay', id: providerId('evt'), type, body };
    this.events.push(event);
    return event;
  }

  sign(body: string): string {
    return razorpayWebhookSignature(this.config.webhookSecret, body);
  }

  private capturePayment(payment: RazorpayPayment): RazorpayEvent[] {
    const order = this.order(payment.order_id);
    payment.status = 'captured';
    payment.captured = true;
    order.amount_paid += payment.amount;
    order.amount_due = Math.max(0, order.amount - order.amount_paid);
    order.status = 'paid';
    return [this.emit('payment.captured', { payment }), this.emit('order.paid', { payment, order })];
  }

  private createOrder(req: SimRequest): SimResponse {
    const amount = Number(req.body.amount);
    if (!Number.isInteger(amount) || amount < 100) throw badRequest('Order amount less than minimum amount allowed', 'amount');
    const receipt = (req.body.receipt as string | undefined) ?? null;
    if (receipt && receipt.length > 40) throw badRequest('receipt: the length must be no more than 40.', 'receipt');
    const order: RazorpayOrder = {
      id: providerId('order'),
      entity: 'order',
      amount,
      amount_paid: 0,
      amount_due: amount,
      currency: String(req.body.currency ?? 'INR'),
      receipt,
      status: 'created',
      attempts: 0,
      notes: (req.body.notes as Record<string, string>) ?? [],
      created_at: nowSeconds(),
    };
    this.orders.set(order.id, order);
    return { status: 200, body: order };
  }

  private listOrders(req: SimRequest): SimResponse {
    const receipt = req.query.get('receipt');
    const count = Number(req.query.get('count') ?? 10);
    const items = [...this.orders.values()]
      .filter((o) => !receipt || o.receipt === receipt)
      .reverse()
      .slice(0, count);
    return { status: 200, body: { entity: 'collection', count: items.length, items } };
  }

  private orderPayments(orderId: string): SimResponse {
    this.order(orderId);
    const items = [...this.payments.values()].filter((p) => p.order_id === orderId);
    return { status: 200, body: { entity: 'collection', count: items.length, items } };
  }

  private capture(req: SimRequest, paymentId: string): SimResponse {
    const payment = this.payment(paymentId);
    if (payment.status !== 'authorized') throw badRequest('This payment has already been captured');
    if (Number(req.body.amount) !== payment.amount) throw badRequest('Capture amount must be equal to the amount authorized', 'amount');
    this.capturePayment(payment);
    return { status: 200, body: payment };
  }

  private refundPayment(req: SimRequest, paymentId: string): SimResponse {
    const key = req.headers['x-refund-idempotency'] as string | undefined;
    return this.idempotency.run(
      key,
      `${paymentId} ${req.rawBody}`,
      () => {
        const payment = this.payment(paymentId);
        if (payment.status !== 'captured' && payment.status !== 'refunded') throw badRequest('The payment has not been captured');
        const refundable = payment.amount - payment.amount_refunded;
        const amount = req.body.amount === undefined ? refundable : Number(req.body.amount);
        if (!Number.isInteger(amount) || amount < 1 || amount > refundable)
          throw badRequest('The refund amount provided is greater than amount captured', 'amount');
        const refund: RazorpayRefund = {
          id: providerId('rfnd'),
          entity: 'refund',
          amount,
          currency: payment.currency,
          payment_id: payment.id,
          receipt: (req.body.receipt as string) ?? null,
          notes: (req.body.notes as Record<string, string>) ?? [],
          status: this.refundOutcome,
          speed_requested: String(req.body.speed ?? 'normal'),
          created_at: nowSeconds(),
        };
        this.refunds.set(refund.id, refund);
        payment.amount_refunded += amount;
        payment.refund_status = payment.amount_refunded === payment.amount ? 'full' : 'partial';
        if (payment.refund_status === 'full') payment.status = 'refunded';
        this.emit('refund.created', { refund, payment });
        if (refund.status === 'processed') this.emit('refund.processed', { refund, payment });
        return { status: 200, body: refund };
      },
      () => ({
        status: 400,
        body: {
          error: { code: 'BAD_REQUEST_ERROR', description: 'Different request with the same idempotency key has already been processed.' },
        },
      }),
    );
  }

  private order(id: string): RazorpayOrder {
    const order = this.orders.get(id);
    if (!order) throw badRequest('The id provided does not exist');
    return order;
  }

  private payment(id: string): RazorpayPayment {
    const payment = this.payments.get(id);
    if (!payment) throw badRequest('The id provided does not exist');
    return payment;
  }

  private refund(paymentId: string, refundId: string): RazorpayRefund {
    const refund = this.refunds.get(refundId);
    if (!refund || refund.payment_id !== paymentId) throw badRequest('The id provided does not exist');
    return refund;
  }
}
