import { createHmac } from 'node:crypto';
import { clone, IdempotencyCache, nowSeconds, providerId, SimError, type Route, type SimRequest, type SimResponse } from './http-kit.js';

/**
 * AcmePay: a made-up payment provider that exists only in the tests, to prove a provider is one class plus one
 * registration line (test/support/acmepay.provider.ts). Its API is deliberately unlike Stripe's and Razorpay's: a
 * checkout holds the customer's payment attempts, amounts are ISO minor units, and webhooks are signed as
 * `Acme-Signature: t=<unix seconds>,sha256=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 */
export interface AcmePaySimConfig {
  apiKey: string;
  webhookSecret: string;
}

export interface AcmePayEvent {
  provider: 'acmepay';
  id: string;
  type: string;
  body: string;
}

export interface AcmeCheckout {
  id: string;
  object: 'checkout';
  amount: number;
  currency: string;
  reference: string;
  status: 'open' | 'paid' | 'cancelled';
  metadata: Record<string, string>;
  payments: AcmePayment[];
}

export interface AcmePayment {
  id: string;
  object: 'payment';
  checkout: string;
  amount: number;
  currency: string;
  status: 'captured' | 'failed';
  failure_code: string | null;
  refunded: number;
}

export interface AcmeRefund {
  id: string;
  object: 'refund';
  payment: string;
  checkout: string;
  amount: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed';
  metadata: Record<string, string>;
}

const refused = (message: string, status = 400) =>
  new SimError(status, { error: { code: status === 404 ? 'not_found' : 'invalid_request', message } });

export function acmePaySignature(secret: string, body: string, timestamp = nowSeconds()): string {
  return `t=${timestamp},sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class AcmePaySimulator {
  readonly checkouts = new Map<string, AcmeCheckout>();
  readonly refunds = new Map<string, AcmeRefund>();
  readonly events: AcmePayEvent[] = [];
  /** Status new refunds get; 'pending' ones settle later with settleRefund(). */
  refundOutcome: 'succeeded' | 'pending' = 'succeeded';
  private readonly idempotency = new IdempotencyCache();

  constructor(readonly config: AcmePaySimConfig) {}

  routes(): Route[] {
    return [
      { method: 'POST', pattern: '/acme/v1/checkouts', handle: (req) => this.idempotent(req, () => this.createCheckout(req)) },
      { method: 'GET', pattern: '/acme/v1/checkouts/:id', handle: (_req, p) => ({ status: 200, body: this.checkout(p.id) }) },
      { method: 'POST', pattern: '/acme/v1/checkouts/:id/cancel', handle: (_req, p) => this.cancel(p.id) },
      { method: 'POST', pattern: '/acme/v1/refunds', handle: (req) => this.idempotent(req, () => this.createRefund(req.body)) },
      { method: 'GET', pattern: '/acme/v1/refunds/:id', handle: (_req, p) => ({ status: 200, body: this.refund(p.id) }) },
    ];
  }

  authorize(req: SimRequest): SimResponse | undefined {
    if (req.headers.authorization === `Bearer ${this.config.apiKey}`) return undefined;
    return { status: 401, body: { error: { code: 'unauthorized', message: 'Unknown API key' } } };
  }

  /** The customer pays (or fails to) on AcmePay's page. `amount` overrides what was charged. */
  pay(
    checkoutId: string,
    options: { outcome?: 'captured' | 'failed'; amount?: number } = {},
  ): { payment: AcmePayment; events: AcmePayEvent[] } {
    const checkout = this.checkout(checkoutId);
    if (checkout.status === 'cancelled') throw refused('The checkout is cancelled');
    const captured = (options.outcome ?? 'captured') === 'captured';
    const payment: AcmePayment = {
      id: providerId('acp'),
      object: 'payment',
      checkout: checkout.id,
      amount: options.amount ?? checkout.amount,
      currency: checkout.currency,
      status: captured ? 'captured' : 'failed',
      failure_code: captured ? null : 'card_declined',
      refunded: 0,
    };
    checkout.payments.push(payment);
    if (captured) checkout.status = 'paid';
    return { payment, events: [this.emit(captured ? 'payment.captured' : 'payment.failed', { checkout, payment })] };
  }

  /** A refund made in AcmePay's dashboard, not through Orderline. */
  dashboardRefund(paymentId: string, amount?: number): AcmePayEvent[] {
    const before = this.events.length;
    this.createRefund({ payment: paymentId, ...(amount && { amount }) });
    return this.events.slice(before);
  }

  settleRefund(refundId: string, status: 'succeeded' | 'failed' = 'succeeded'): AcmePayEvent[] {
    const refund = this.refund(refundId);
    refund.status = status;
    const payment = this.payment(refund.payment);
    if (status === 'failed') payment.refunded -= refund.amount;
    return [this.emit(`refund.${status}`, { refund, payment })];
  }

  emit(type: string, data: { checkout?: AcmeCheckout; payment?: AcmePayment; refund?: AcmeRefund }): AcmePayEvent {
    const id = providerId('evt', 20);
    const body = JSON.stringify({ id, type, created: nowSeconds(), data: clone(data) });
    const event: AcmePayEvent = { provider: 'acmepay', id, type, body };
    this.events.push(event);
    return event;
  }

  sign(body: string, timestamp?: number): string {
    return acmePaySignature(this.config.webhookSecret, body, timestamp);
  }

  private idempotent(req: SimRequest, execute: () => SimResponse): SimResponse {
    return this.idempotency.run(req.headers['idempotency-key'] as string | undefined, `${req.path} ${req.rawBody}`, execute, () => ({
      status: 409,
      body: { error: { code: 'idempotency_conflict', message: 'Idempotency-Key reused with other parameters' } },
    }));
  }

  private createCheckout(req: SimRequest): SimResponse {
    const amount = Number(req.body.amount);
    const currency = String(req.body.currency ?? '');
    if (!Number.isInteger(amount) || amount < 1) throw refused('amount must be a positive integer');
    if (!/^[A-Z]{3}$/.test(currency)) throw refused('currency must be an ISO 4217 code');
    const checkout: AcmeCheckout = {
      id: providerId('chk'),
      object: 'checkout',
      amount,
      currency,
      reference: String(req.body.reference ?? ''),
      status: 'open',
      metadata: (req.body.metadata as Record<string, string> | undefined) ?? {},
      payments: [],
    };
    this.checkouts.set(checkout.id, checkout);
    return { status: 201, body: checkout };
  }

  private cancel(id: string): SimResponse {
    const checkout = this.checkout(id);
    if (checkout.status === 'paid') throw refused('A paid checkout cannot be cancelled');
    checkout.status = 'cancelled';
    this.emit('checkout.cancelled', { checkout });
    return { status: 200, body: checkout };
  }

  private createRefund(body: Record<string, unknown>): SimResponse {
    const payment = this.payment(String(body.payment ?? ''));
    if (payment.status !== 'captured') throw refused('Only captured payments can be refunded');
    const left = payment.amount - payment.refunded;
    const amount = body.amount === undefined ? left : Number(body.amount);
    if (!Number.isInteger(amount) || amount < 1 || amount > left) throw refused(`amount must be between 1 and ${left}`);
    const refund: AcmeRefund = {
      id: providerId('rf'),
      object: 'refund',
      payment: payment.id,
      checkout: payment.checkout,
      amount,
      currency: payment.currency,
      status: this.refundOutcome,
      metadata: (body.metadata as Record<string, string> | undefined) ?? {},
    };
    this.refunds.set(refund.id, refund);
    payment.refunded += amount;
    this.emit(`refund.${refund.status}`, { refund, payment });
    return { status: 201, body: refund };
  }

  private checkout(id: string): AcmeCheckout {
    const checkout = this.checkouts.get(id);
    if (!checkout) throw refused(`No checkout ${id}`, 404);
    return checkout;
  }

  private payment(id: string): AcmePayment {
    const payment = [...this.checkouts.values()].flatMap((c) => c.payments).find((p) => p.id === id);
    if (!payment) throw refused(`No payment ${id}`, 404);
    return payment;
  }

  private refund(id: string): AcmeRefund {
    const refund = this.refunds.get(id);
    if (!refund) throw refused(`No refund ${id}`, 404);
    return refund;
  }
}
