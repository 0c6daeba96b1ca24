import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Stripe from 'stripe';
import type { EnvironmentVariables } from '../../config/configuration.js';
import { PaymentCredentialsSource, type StripeCredentials } from '../payment-credentials.js';
import { fromProviderAmount, STRIPE_AMOUNT_RULES, toProviderAmount } from '../currency.js';
import {
  headerValue, InvalidWebhookSignatureError, isProviderRefusal, ProviderNotConfiguredError, ProviderRejectedError, ProviderUnavailableError,
  type CreatedPayment, type CreatePaymentInput, type PaymentEvent, type PaymentProvider, type ProviderCapture, type ProviderRefund,
  type RefundInput, type VerifiedWebhook, type WebhookHeaders,
} from '../payment-provider.js';

const idOf = (value: string | { id: string } | null | undefined): string | undefined => (typeof value === 'string' ? value : value?.id);
const amountOf = (amount: number, currency: string) => fromProviderAmount(STRIPE_AMOUNT_RULES, amount, currency);

/**
 * Stripe PaymentIntents through the official stripe-node SDK. The PaymentIntent id is our payment's providerRef and
 * the identity of its capture: a PaymentIntent succeeds at most once, while events name it by intent or by charge.
 */
@Injectable()
export class StripeProvider implements PaymentProvider {
  readonly method = 'STRIPE' as const;
  private readonly endpoint: { host: string; port: number; protocol: 'http' | 'https' };
  private readonly timeoutMs: number;
  private readonly toleranceSeconds: number;
  private cached?: { secretKey: string; client: Stripe };

  constructor(private readonly credentials: PaymentCredentialsSource, config: ConfigService<EnvironmentVariables, true>) {
    const base = new URL(config.get('STRIPE_API_BASE', { infer: true }));
    const protocol = base.protocol === 'http:' ? 'http' : 'https';
    this.endpoint = { host: base.hostname, port: Number(base.port || (protocol === 'http' ? 80 : 443)), protocol };
    this.timeoutMs = config.get('PAYMENT_PROVIDER_TIMEOUT_MS', { infer: true });
    this.toleranceSeconds = config.get('STRIPE_WEBHOOK_TOLERANCE_SECONDS', { infer: true });
  }

  async isEnabled(): Promise<boolean> {
    return (await this.credentials.stripe()) !== undefined;
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    const { stripe } = await this.client();
    const amount = toProviderAmount(STRIPE_AMOUNT_RULES, input.amountMinor, input.currency);
    const intent = await this.call(() =>
      stripe.paymentIntents.create(
        {
          amount,
          currency: input.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          description: `Order ${input.orderNumber}`,
          metadata: { orderId: input.orderId, orderNumber: input.orderNumber, ...(input.brandSlug && { brand: input.brandSlug }) },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { providerRef: intent.id, clientData: { clientSecret: intent.client_secret } };
  }

  async publicKey(): Promise<string | undefined> {
    return (await this.credentials.stripe())?.publishableKey;
  }

  async clientInstructions(payment: { providerRef: string; clientData: Record<string, unknown> }): Promise<Record<string, unknown>> {
    const { credentials } = await this.client();
    return { paymentIntentId: payment.providerRef, clientSecret: payment.clientData.clientSecret, publishableKey: credentials.publishableKey };
  }

  async parseWebhook(rawBody: Buffer, headers: WebhookHeaders): Promise<VerifiedWebhook> {
    const credentials = await this.credentials.stripe();
    if (!credentials?.webhookSecret) throw new ProviderNotConfiguredError('STRIPE');
    const signature = headerValue(headers, 'stripe-signature');
    if (!signature) throw new InvalidWebhookSignatureError('missing Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, signature, credentials.webhookSecret, this.toleranceSeconds);
    } catch (error) {
      throw new InvalidWebhookSignatureError((error as Error).message);
    }
    // The SDK only refuses timestamps older than the tolerance; one from the future is refused the same way.
    const timestamp = Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
    if (timestamp - Date.now() / 1000 > this.toleranceSeconds) throw new InvalidWebhookSignatureError('Timestamp outside the tolerance zone (in the future)');
    return { eventId: event.id, type: event.type, events: await this.eventsOf(event) };
  }

  async fetchPayment(paymentRef: string): Promise<PaymentEvent[]> {
    const { stripe } = await this.client();
    const intent = await this.call(() => stripe.paymentIntents.retrieve(paymentRef));
    if (intent.status === 'succeeded') return [{ type: 'payment.captured', ...this.captureOf(intent), orderId: intent.metadata?.orderId }];
    if (intent.status === 'canceled') return [{ type: 'payment.cancelled', paymentRef: intent.id, orderId: intent.metadata?.orderId }];
    if (intent.last_payment_error) return [this.failureOf(intent, `${intent.id}:last_error`)];
    return [];
  }

  async refund(input: RefundInput): Promise<ProviderRefund> {
    const { stripe } = await this.client();
    const amount = toProviderAmount(STRIPE_AMOUNT_RULES, input.amountMinor, input.currency);
    const refund = await this.call(() =>
      stripe.refunds.create(
        {
          payment_intent: input.paymentRef,
          amount,
          metadata: { orderId: input.orderId, refundId: input.refundId, ...(input.reason && { reason: input.reason.slice(0, 500) }) },
        },
        { idempotencyKey: `refund-${input.refundId}` },
      ),
    );
    return this.refundOf(refund, input.providerPaymentId);
  }

  async fetchRefund(input: { providerRefundId: string; providerPaymentId: string }): Promise<ProviderRefund> {
    const { stripe } = await this.client();
    const refund = await this.call(() => stripe.refunds.retrieve(input.providerRefundId));
    return this.refundOf(refund, input.providerPaymentId);
  }

  async cancelPayment(paymentRef: string): Promise<void> {
    const { stripe } = await this.client();
    await this.call(() => stripe.paymentIntents.cancel(paymentRef));
  }

  private async eventsOf(event: Stripe.Event): Promise<PaymentEvent[]> {
    switch (event.type) {
      case 'payment_intent.succeeded': {
        const intent = event.data.object;
        return [{ type: 'payment.captured', ...this.captureOf(intent), orderId: intent.metadata?.orderId }];
      }
      case 'payment_intent.payment_failed':
        return [this.failureOf(event.data.object, `${event.data.object.id}:${event.id}`)];
      case 'payment_intent.canceled':
        return [{ type: 'payment.cancelled', paymentRef: event.data.object.id, orderId: event.data.object.metadata?.orderId }];
      case 'charge.succeeded': {
        const charge = event.data.object;
        const capture = this.captureOfCharge(charge);
        return capture && charge.amount_captured > 0 ? [{ type: 'payment.captured', ...capture, orderId: charge.metadata?.orderId }] : [];
      }
      case 'charge.refunded':
        return this.refundEventsOfCharge(event.data.object);
      case 'refund.updated':
      case 'refund.failed': {
        const refund = event.data.object;
        const paymentRef = idOf(refund.payment_intent) ?? (await this.intentOfCharge(idOf(refund.charge)));
        if (!paymentRef) return [];
        return [{ type: 'refund.updated', paymentRef, orderId: refund.metadata?.orderId, refund: this.refundOf(refund, paymentRef) }];
      }
      default:
        return [];
    }
  }

  /** Since API version 2022-11-15 a charge no longer embeds its refunds, so they are listed when absent. */
  private async refundEventsOfCharge(charge: Stripe.Charge): Promise<PaymentEvent[]> {
    const capture = this.captureOfCharge(charge);
    if (!capture) return []; // a charge without a PaymentIntent was not made by Orderline
    let refunds = charge.refunds?.data;
    if (!refunds) {
      const { stripe } = await this.client();
      refunds = (await this.call(() => stripe.refunds.list({ charge: charge.id, limit: 100 }))).data;
    }
    return refunds.map((refund) => ({
      type: 'refund.updated' as const, paymentRef: capture.paymentRef, orderId: charge.metadata?.orderId ?? refund.metadata?.orderId, capture,
      refund: this.refundOf(refund, capture.paymentRef),
    }));
  }

  /** A capture is identified by its PaymentIntent (never its charge), so every event about it names the same payment. */
  private captureOf(intent: Stripe.PaymentIntent): ProviderCapture {
    return { paymentRef: intent.id, providerPaymentId: intent.id, amountMinor: amountOf(intent.amount_received, intent.currency), currency: intent.currency.toUpperCase() };
  }

  private captureOfCharge(charge: Stripe.Charge): ProviderCapture | undefined {
    const paymentRef = idOf(charge.payment_intent);
    if (!paymentRef) return undefined;
    return { paymentRef, providerPaymentId: paymentRef, amountMinor: amountOf(charge.amount_captured, charge.currency), currency: charge.currency.toUpperCase() };
  }

  /** The PaymentIntent of a charge, for events that name only the charge. */
  private async intentOfCharge(chargeId: string | undefined): Promise<string | undefined> {
    if (!chargeId) return undefined;
    const { stripe } = await this.client();
    return idOf((await this.call(() => stripe.charges.retrieve(chargeId))).payment_intent);
  }

  private failureOf(intent: Stripe.PaymentIntent, fallbackAttemptId: string): PaymentEvent {
    const error = intent.last_payment_error;
    return {
      type: 'payment.failed',
      orderId: intent.metadata?.orderId,
      paymentRef: intent.id,
      providerPaymentId: error?.charge ?? idOf(intent.latest_charge) ?? fallbackAttemptId,
      amountMinor: amountOf(intent.amount, intent.currency),
      currency: intent.currency.toUpperCase(),
      errorCode: error?.decline_code ?? error?.code,
      errorMessage: error?.message,
    };
  }

  private refundOf(refund: Stripe.Refund, providerPaymentId: string): ProviderRefund {
    const status = refund.status === 'succeeded' ? 'SUCCEEDED' : refund.status === 'failed' || refund.status === 'canceled' ? 'FAILED' : 'PENDING';
    return {
      providerRefundId: refund.id,
      refundId: refund.metadata?.refundId,
      providerPaymentId: idOf(refund.payment_intent) ?? providerPaymentId,
      amountMinor: amountOf(refund.amount, refund.currency),
      currency: refund.currency.toUpperCase(),
      status,
    };
  }

  /** One SDK client per secret key, so credentials changed at runtime take effect on the next call. */
  private async client(): Promise<{ stripe: Stripe; credentials: StripeCredentials }> {
    const credentials = await this.credentials.stripe();
    if (!credentials) throw new ProviderNotConfiguredError('STRIPE');
    if (this.cached?.secretKey !== credentials.secretKey) {
      this.cached = {
        secretKey: credentials.secretKey,
        client: new Stripe(credentials.secretKey, { ...this.endpoint, timeout: this.timeoutMs, maxNetworkRetries: 2, telemetry: false, appInfo: { name: 'Orderline' } }),
      };
    }
    return { stripe: this.cached.client, credentials };
  }

  /** 4xx answers are refusals; everything else (network, timeout, 5xx, auth, rate limit, idempotency in flight) is an unknown outcome. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError) {
        const status = error.statusCode ?? 0;
        if (isProviderRefusal(status)) throw new ProviderRejectedError('STRIPE', error.code, error.message);
        throw new ProviderUnavailableError('STRIPE', error.message);
      }
      throw new ProviderUnavailableError('STRIPE', (error as Error).message);
    }
  }
}
