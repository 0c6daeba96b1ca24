import { createHmac } from 'node:crypto';
import { clone, IdempotencyCache, nowSeconds, providerId, SimError, type Route, type SimRequest, type SimResponse } from './http-kit.js';

export interface StripeSimConfig {
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
}

/** One Stripe event as Stripe would POST it: the body is frozen when the event happens (a snapshot). */
export interface StripeEvent {
  provider: 'stripe';
  id: string;
  type: string;
  body: string;
}

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'processing' | 'succeeded' | 'canceled';
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  latest_charge: string | null;
  last_payment_error: null | { type: string; code: string; decline_code?: string; message: string; charge?: string };
  created: number;
  livemode: false;
}

export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  currency: string;
  payment_intent: string;
  refunded: boolean;
  status: 'succeeded' | 'failed';
  metadata: Record<string, string>;
  created: number;
}

export interface StripeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  status: 'pending' | 'succeeded' | 'failed';
  metadata: Record<string, string>;
  created: number;
}

const invalid = (message: string, code?: string, status = 400) =>
  new SimError(status, { error: { type: 'invalid_request_error', message, ...(code && { code }) } });

/** Stripe-Signature exactly as Stripe computes it: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>. */
export function stripeSignature(secret: string, payload: string, timestamp = nowSeconds()): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex')}`;
}

/** The part of the Stripe API Orderline's adapter calls (PaymentIntents, Refunds, Charges), plus the customer's side of paying. */
export class StripeSimulator {
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, StripeRefund>();
  readonly events: StripeEvent[] = [];
  /** Status new refunds get; 'pending' refunds settle later with settleRefund(). */
  refundOutcome: 'succeeded' | 'pending' = 'succeeded';
  private readonly idempotency = new IdempotencyCache();

  constructor(readonly config: StripeSimConfig) {}

  routes(): Route[] {
    return [
      { method: 'POST', pattern: '/v1/payment_intents', handle: (req) => this.idempotent(req, () => this.createIntent(req)) },
      { method: 'GET', pattern: '/v1/payment_intents/:id', handle: (_req, p) => ({ status: 200, body: this.intent(p.id) }) },
      {
        method: 'POST',
        pattern: '/v1/payment_intents/:id/cancel',
        handle: (req, p) => this.idempotent(req, () => this.cancelIntent(p.id)),
      },
      { method: 'POST', pattern: '/v1/refunds', handle: (req) => this.idempotent(req, () => this.createRefund(req)) },
      { method: 'GET', pattern: '/v1/refunds', handle: (req) => this.listRefunds(req) },
      { method: 'GET', pattern: '/v1/refunds/:id', handle: (_req, p) => ({ status: 200, body: this.refund(p.id) }) },
      { method: 'GET', pattern: '/v1/charges/:id', handle: (_req, p) => ({ status: 200, body: this.charge(p.id) }) },
    ];
  }

  authorize(req: SimRequest): SimResponse | undefined {
    if (req.headers.authorization === `Bearer ${this.config.secretKey}`) return undefined;
    return { status: 401, body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } } };
  }

  /** The customer completes (or fails) the payment with Stripe.js. `amount`/`currency` override what was charged. */
  pay(
    intentId: string,
    options: { outcome?: 'succeeded' | 'failed'; amount?: number; currency?: string; declineCode?: string } = {},
  ): StripeEvent[] {
    const intent = this.intent(intentId);
    if (intent.status === 'succeeded' || intent.status === 'canceled')
      throw invalid(`PaymentIntent is ${intent.status}`, 'payment_intent_unexpected_state');
    const succeeded = (options.outcome ?? 'succeeded') === 'succeeded';
    const amount = options.amount ?? intent.amount;
    const charge: Charge = {
      id: providerId('ch'),
      object: 'charge',
      amount,
      amount_captured: succeeded ? amount : 0,
      amount_refunded: 0,
      currency: options.currency ?? intent.currency,
      payment_intent: intent.id,
      refunded: false,
      status: succeeded ? 'succeeded' : 'failed',
      metadata: intent.metadata,
      created: nowSeconds(),
    };
    this.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;
    if (succeeded) {
      Object.assign(intent, { status: 'succeeded', amount_received: amount, currency: charge.currency, last_payment_error: null });
      return [this.emit('charge.succeeded', charge), this.emit('payment_intent.succeeded', intent)];
    }
    const declineCode = options.declineCode ?? 'insufficient_funds';
    intent.status = 'requires_payment_method';
    intent.last_payment_error = {
      type: 'card_error',
      code: 'card_declined',
      decline_code: declineCode,
      message: 'Your card was declined.',
      charge: charge.id,
    };
    return [this.emit('charge.failed', charge), this.emit('payment_intent.payment_failed', intent)];
  }

  /** A refund made by staff in the Stripe Dashboard (not through Orderline). Returns the events it emits. */
  dashboardRefund(intentId: string, amount?: number): StripeEvent[] {
    const before = this.events.length;
    const response = this.createRefund({
      method: 'POST',
      path: '/v1/refunds',
      query: new URLSearchParams(),
      headers: {},
      rawBody: '',
      body: { payment_intent: intentId, ...(amount && { amount: String(amount) }) },
    });
    if (response.status !== 200) throw new Error(`dashboard refund refused: ${JSON.stringify(response.body)}`);
    return this.events.slice(before);
  }

  /** A pending refund settles (as the bank confirms it days later). */
  settleRefund(refundId: string, status: 'succeeded' | 'failed' = 'succeeded'): StripeEvent[] {
    const refund = this.refund(refundId);
    refund.status = status;
    const charge = this.charges.get(refund.charge)!;
    if (status === 'failed') {
      charge.amount_refunded -= refund.amount;
      charge.refunded = false;
      return [this.emit('refund.failed', refund)];
    }
    return [this.emit('refund.updated', refund), this.emit('charge.refunded', charge)];
  }

  /** Builds an event from the object as it is now (later changes do not alter it), as Stripe's snapshot events do. */
  emit(type: string, object: object): StripeEvent {
    const id = providerId('evt', 24);
    const body = JSON.stringify(
      {
        id,
        object: 'event',
        api_version: '2026-10-28.endive',
        created: nowSeconds(),
        data: { object: clone(object) },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      },
      null,
      2,
    );
    const event: StripeEvent = { provider: 'stripe', id, type, body };
    this.events.push(event);
    return event;
  }

  sign(payload: string, timestamp?: number): string {
    return stripeSignature(this.config.webhookSecret, payload, timestamp);
  }

  private idempotent(req: SimRequest, execute: () => SimResponse): SimResponse {
    const key = req.headers['idempotency-key'] as string | undefined;
    return this.idempotency.run(key, `${req.method} ${req.path} ${req.rawBody}`, execute, () => ({
      status: 400,
      body: {
        error: {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
        },
      },
    }));
  }

  private createIntent(req: SimRequest): SimResponse {
    const amount = Number(req.body.amount);
    const currency = String(req.body.currency ?? '');
    if (!Number.isInteger(amount) || amount < 1) throw invalid('Invalid integer: amount', 'parameter_invalid_integer');
    if (!/^[a-z]{3}$/.test(currency)) throw invalid('Invalid currency', 'parameter_invalid_string');
    const id = providerId('pi', 24);
    const intent: PaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency,
      status: 'requires_payment_method',
      client_secret: `${id}_secret_${providerId('s', 24).slice(2)}`,
      description: (req.body.description as string) ?? null,
      metadata: (req.body.metadata as Record<string, string>) ?? {},
      latest_charge: null,
      last_payment_error: null,
      created: nowSeconds(),
      livemode: false,
    };
    this.paymentIntents.set(id, intent);
    this.emit('payment_intent.created', intent);
    return { status: 200, body: intent };
  }

  private cancelIntent(id: string): SimResponse {
    const intent = this.intent(id);
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      throw invalid(`You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`, 'payment_intent_unexpected_state');
    }
    intent.status = 'canceled';
    this.emit('payment_intent.canceled', intent);
    return { status: 200, body: intent };
  }

  private createRefund(req: SimRequest): SimResponse {
    const intent = this.intent(String(req.body.payment_intent ?? ''));
    const charge = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
    if (intent.status !== 'succeeded' || !charge)
      throw invalid('This PaymentIntent does not have a successful charge to refund.', 'charge_not_refundable');
    const refundable = charge.amount_captured - charge.amount_refunded;
    const amount = req.body.amount === undefined ? refundable : Number(req.body.amount);
    if (refundable <= 0) throw invalid(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
    if (!Number.isInteger(amount) || amount < 1 || amount > refundable)
      throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable})`, 'amount_too_large');
    const refund: StripeRefund = {
      id: providerId('re', 24),
      object: 'refund',
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: intent.id,
      status: this.refundOutcome,
      metadata: (req.body.metadata as Record<string, string>) ?? {},
      created: nowSeconds(),
    };
    this.refunds.set(refund.id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    this.emit('refund.created', refund);
    if (refund.status === 'succeeded') this.emit('charge.refunded', charge);
    return { status: 200, body: refund };
  }

  private listRefunds(req: SimRequest): SimResponse {
    const chargeId = req.query.get('charge');
    const data = [...this.refunds.values()].filter((r) => !chargeId || r.charge === chargeId).reverse();
    return { status: 200, body: { object: 'list', data, has_more: false, url: '/v1/refunds' } };
  }

  private intent(id: string): PaymentIntent {
    const intent = this.paymentIntents.get(id);
    if (!intent) throw invalid(`No such payment_intent: '${id}'`, 'resource_missing', 404);
    return intent;
  }

  private charge(id: string): Charge {
    const charge = this.charges.get(id);
    if (!charge) throw invalid(`No such charge: '${id}'`, 'resource_missing', 404);
    return charge;
  }

  private refund(id: string): StripeRefund {
    const refund = this.refunds.get(id);
    if (!refund) throw invalid(`No such refund: '${id}'`, 'resource_missing', 404);
    return refund;
  }
}
