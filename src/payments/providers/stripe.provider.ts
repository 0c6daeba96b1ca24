import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Max, Min } from 'class-validator';
import type Stripe from 'stripe';

/** Loaded on first use: an instance that never talks to Stripe does not hold the SDK in memory. */
let loaded: typeof Stripe | undefined;
const stripeSdk = async () => (loaded ??= (await import('stripe')).default);
import { toInt } from '../../config/configuration.js';
import type { CredentialFields } from '../../settings/credential-catalogue.js';
import { checkApiBase } from '../../common/api-base.js';
import type { PaymentEnvironment } from '../payment-config.js';
import { PaymentCredentialsSource } from '../payment-credentials.js';
import { fromProviderAmount, THREE_DECIMAL_STEPS, toProviderAmount, type ProviderAmountRules } from '../currency.js';
import {
  headerValue,
  InvalidWebhookSignatureError,
  isProviderRefusal,
  PaymentProvider,
  ProviderNotConfiguredError,
  ProviderRejectedError,
  ProviderUnavailableError,
  type CredentialValues,
  type OpenedPayment,
  type OpenPaymentInput,
  type PaymentEvent,
  type PaymentProviderDescriptor,
  type ProviderCapture,
  type ProviderRefund,
  type RefundInput,
  type VerifiedWebhook,
  type WebhookHeaders,
} from '../payment-provider.js';

/** Stripe keeps ISK as two-decimal and MGA as zero-decimal. */
export const STRIPE_AMOUNT_RULES: ProviderAmountRules = { exponents: { ISK: 2, MGA: 0 }, steps: THREE_DECIMAL_STEPS };

const CREDENTIALS = {
  secretKey: {
    env: 'STRIPE_SECRET_KEY',
    pattern: /^(sk|rk)_(test|live)_\S{4,}$/,
    message: 'secretKey must be a Stripe secret key (sk_test_..., sk_live_..., rk_...)',
    example: 'sk_live_...',
    description: 'Secret or restricted key (sk_/rk_)',
  },
  publishableKey: {
    env: 'STRIPE_PUBLISHABLE_KEY',
    pattern: /^pk_(test|live)_\S{4,}$/,
    message: 'publishableKey must be a Stripe publishable key (pk_test_..., pk_live_...)',
    example: 'pk_live_...',
    description: 'Publishable key',
  },
  webhookSecret: {
    env: 'STRIPE_WEBHOOK_SECRET',
    required: false,
    pattern: /^whsec_\S{4,}$/,
    message: 'webhookSecret must be a Stripe webhook signing secret (whsec_...)',
    example: 'whsec_...',
    description: 'Webhook signing secret',
  },
} as const satisfies CredentialFields;

const STRIPE_API_BASE_DEFAULT = 'https://api.stripe.com';

class StripeEnvironment {
  /** Where the SDK sends requests: only tests and local development point it elsewhere (the simulator). */
  @IsString() STRIPE_API_BASE = STRIPE_API_BASE_DEFAULT;
  @Transform(toInt) @IsInt() @Min(10) @Max(3600) STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;
}

type StripeConfig = StripeEnvironment &
  PaymentEnvironment & { NODE_ENV: string; STRIPE_SECRET_KEY?: string; STRIPE_PUBLISHABLE_KEY?: string };

function checkStripeEnvironment(config: StripeConfig): string[] {
  const problems = checkApiBase('STRIPE_API_BASE', config.STRIPE_API_BASE, STRIPE_API_BASE_DEFAULT, config.NODE_ENV === 'production');
  if (config.STRIPE_SECRET_KEY && !config.STRIPE_PUBLISHABLE_KEY)
    problems.push('STRIPE_PUBLISHABLE_KEY: required when STRIPE_SECRET_KEY is set');
  return problems;
}

/** What the client gets to pay with Stripe.js. */
class StripeInstructions {
  @ApiPropertyOptional({ description: 'PaymentIntent id', example: 'pi_3Nxyz' }) paymentIntentId?: string;
  @ApiPropertyOptional({ description: 'client_secret for Stripe.js confirmPayment' }) clientSecret?: string;
  @ApiPropertyOptional({ description: 'publishable key for Stripe.js', example: 'pk_live_...' }) publishableKey?: string;
}

const idOf = (value: string | { id: string } | null | undefined): string | undefined => (typeof value === 'string' ? value : value?.id);
const amountOf = (amount: number, currency: string) => fromProviderAmount(STRIPE_AMOUNT_RULES, amount, currency);
/** The order an object's metadata names: Stripe types metadata values as always there, a missing key is undefined. */
const orderIdOf = (metadata: Stripe.Metadata | null): string | undefined => metadata?.orderId;

/**
 * Stripe PaymentIntents through the official stripe-node SDK. The PaymentIntent id is our payment's providerRef and
 * the identity of its capture: a PaymentIntent succeeds at most once, while events name it by intent or by charge.
 */
@Injectable()
export class StripeProvider extends PaymentProvider<typeof CREDENTIALS> {
  static readonly descriptor: PaymentProviderDescriptor = {
    name: 'stripe',
    label: 'Stripe',
    instruments: ['card', 'wallet', 'bank_redirect'],
    currencies: 'any',
    credentials: CREDENTIALS,
    webhook: {
      headers: [
        {
          name: 'Stripe-Signature',
          required: true,
          description: 'Stripe: t=<timestamp>,v1=<HMAC-SHA256 of "t.payload">, within the tolerance',
        },
      ],
    },
    instructions: StripeInstructions,
    environment: StripeEnvironment,
    checkEnvironment: (config) => checkStripeEnvironment(config as unknown as StripeConfig),
  };

  private readonly endpoint: { host: string; port: number; protocol: 'http' | 'https' };
  private readonly timeoutMs: number;
  private readonly toleranceSeconds: number;
  private cached?: { secretKey: string; client: Stripe };

  constructor(credentials: PaymentCredentialsSource, config: ConfigService<StripeConfig, true>) {
    super(credentials);
    const base = new URL(config.get('STRIPE_API_BASE', { infer: true }));
    const protocol = base.protocol === 'http:' ? 'http' : 'https';
    this.endpoint = { host: base.hostname, port: Number(base.port || (protocol === 'http' ? 80 : 443)), protocol };
    this.timeoutMs = config.get('PAYMENT_PROVIDER_TIMEOUT_MS', { infer: true });
    this.toleranceSeconds = config.get('STRIPE_WEBHOOK_TOLERANCE_SECONDS', { infer: true });
  }

  async open(input: OpenPaymentInput): Promise<OpenedPayment> {
    const { stripe } = await this.client();
    const amount = toProviderAmount(STRIPE_AMOUNT_RULES, input.amountMinor, input.currency);
    const intent = await this.call(() =>
      stripe.paymentIntents.create(
        {
          amount,
          currency: input.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          description: `Order ${input.orderNumber}`,
          metadata: {
            orderId: input.orderId,
            orderNumber: input.orderNumber,
            brandId: input.brandId,
            ...(input.brandSlug && { brand: input.brandSlug }),
          },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { providerRef: intent.id, clientData: { clientSecret: intent.client_secret } };
  }

  override async publicKey(): Promise<string | undefined> {
    return (await this.credentials())?.publishableKey;
  }

  async instructions(payment: { providerRef: string; clientData: Record<string, unknown> }): Promise<Record<string, unknown>> {
    const { credentials } = await this.client();
    return {
      paymentIntentId: payment.providerRef,
      clientSecret: payment.clientData.clientSecret,
      publishableKey: credentials.publishableKey,
    };
  }

  override async parseWebhook(rawBody: Buffer, headers: WebhookHeaders): Promise<VerifiedWebhook> {
    const { webhookSecret } = await this.requireCredentials();
    if (!webhookSecret) throw new ProviderNotConfiguredError(this.code);
    const signature = headerValue(headers, 'stripe-signature');
    if (!signature) throw new InvalidWebhookSignatureError('missing Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = (await stripeSdk()).webhooks.constructEvent(rawBody, signature, webhookSecret, this.toleranceSeconds);
    } catch (error) {
      throw new InvalidWebhookSignatureError((error as Error).message);
    }
    // The SDK only refuses timestamps older than the tolerance; one from the future is refused the same way.
    const timestamp = Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
    if (timestamp - Date.now() / 1000 > this.toleranceSeconds)
      throw new InvalidWebhookSignatureError('Timestamp outside the tolerance zone (in the future)');
    return { eventId: event.id, type: event.type, events: await this.eventsOf(event) };
  }

  async reconcile(paymentRef: string): Promise<PaymentEvent[]> {
    const { stripe } = await this.client();
    const intent = await this.call(() => stripe.paymentIntents.retrieve(paymentRef));
    if (intent.status === 'succeeded')
      return [{ type: 'payment.captured', ...this.captureOf(intent), orderId: orderIdOf(intent.metadata) }];
    if (intent.status === 'canceled') return [{ type: 'payment.cancelled', paymentRef: intent.id, orderId: orderIdOf(intent.metadata) }];
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

  async cancel(paymentRef: string): Promise<void> {
    const { stripe } = await this.client();
    await this.call(() => stripe.paymentIntents.cancel(paymentRef));
  }

  private async eventsOf(event: Stripe.Event): Promise<PaymentEvent[]> {
    switch (event.type) {
      case 'payment_intent.succeeded': {
        const intent = event.data.object;
        return [{ type: 'payment.captured', ...this.captureOf(intent), orderId: orderIdOf(intent.metadata) }];
      }
      case 'payment_intent.payment_failed':
        return [this.failureOf(event.data.object, `${event.data.object.id}:${event.id}`)];
      case 'payment_intent.canceled':
        return [{ type: 'payment.cancelled', paymentRef: event.data.object.id, orderId: orderIdOf(event.data.object.metadata) }];
      case 'charge.succeeded': {
        const charge = event.data.object;
        const capture = this.captureOfCharge(charge);
        return capture && charge.amount_captured > 0 ? [{ type: 'payment.captured', ...capture, orderId: orderIdOf(charge.metadata) }] : [];
      }
      case 'charge.refunded':
        return this.refundEventsOfCharge(event.data.object);
      case 'refund.updated':
      case 'refund.failed': {
        const refund = event.data.object;
        const paymentRef = idOf(refund.payment_intent) ?? (await this.intentOfCharge(idOf(refund.charge)));
        if (!paymentRef) return [];
        return [{ type: 'refund.updated', paymentRef, orderId: orderIdOf(refund.metadata), refund: this.refundOf(refund, paymentRef) }];
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
      type: 'refund.updated' as const,
      paymentRef: capture.paymentRef,
      orderId: orderIdOf(charge.metadata) ?? orderIdOf(refund.metadata),
      capture,
      refund: this.refundOf(refund, capture.paymentRef),
    }));
  }

  /** A capture is identified by its PaymentIntent (never its charge), so every event about it names the same payment. */
  private captureOf(intent: Stripe.PaymentIntent): ProviderCapture {
    return {
      paymentRef: intent.id,
      providerPaymentId: intent.id,
      amountMinor: amountOf(intent.amount_received, intent.currency),
      currency: intent.currency.toUpperCase(),
    };
  }

  private captureOfCharge(charge: Stripe.Charge): ProviderCapture | undefined {
    const paymentRef = idOf(charge.payment_intent);
    if (!paymentRef) return undefined;
    return {
      paymentRef,
      providerPaymentId: paymentRef,
      amountMinor: amountOf(charge.amount_captured, charge.currency),
      currency: charge.currency.toUpperCase(),
    };
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
      orderId: orderIdOf(intent.metadata),
      paymentRef: intent.id,
      providerPaymentId: error?.charge ?? idOf(intent.latest_charge) ?? fallbackAttemptId,
      amountMinor: amountOf(intent.amount, intent.currency),
      currency: intent.currency.toUpperCase(),
      errorCode: error?.decline_code ?? error?.code,
      errorMessage: error?.message,
    };
  }

  private refundOf(refund: Stripe.Refund, providerPaymentId: string): ProviderRefund {
    const status =
      refund.status === 'succeeded' ? 'SUCCEEDED' : refund.status === 'failed' || refund.status === 'canceled' ? 'FAILED' : 'PENDING';
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
  private async client(): Promise<{ stripe: Stripe; credentials: CredentialValues<typeof CREDENTIALS> }> {
    const credentials = await this.requireCredentials();
    if (this.cached?.secretKey !== credentials.secretKey) {
      const StripeSdk = await stripeSdk();
      this.cached = {
        secretKey: credentials.secretKey,
        client: new StripeSdk(credentials.secretKey, {
          ...this.endpoint,
          timeout: this.timeoutMs,
          maxNetworkRetries: 2,
          telemetry: false,
          appInfo: { name: 'Orderline' },
        }),
      };
    }
    return { stripe: this.cached.client, credentials };
  }

  /** 4xx answers are refusals; everything else (network, timeout, 5xx, auth, rate limit, idempotency in flight) is an unknown outcome. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      // The SDK is loaded by now: a request was made through it.
      if (error instanceof (await stripeSdk()).errors.StripeError) {
        const status = error.statusCode ?? 0;
        if (isProviderRefusal(status)) throw new ProviderRejectedError(this.code, error.code, error.message);
        throw new ProviderUnavailableError(this.code, error.message);
      }
      throw new ProviderUnavailableError(this.code, (error as Error).message);
    }
  }
}
