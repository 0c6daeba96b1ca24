import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import type Razorpay from 'razorpay';
import { InvalidInputError } from '../../common/errors/domain-errors.js';
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

export const RAZORPAY_AMOUNT_RULES: ProviderAmountRules = { exponents: {}, steps: THREE_DECIMAL_STEPS };

const CREDENTIALS = {
  keyId: {
    env: 'RAZORPAY_KEY_ID',
    pattern: /^rzp_(test|live)_\S{4,}$/,
    message: 'keyId must be a Razorpay key id (rzp_test_..., rzp_live_...)',
    example: 'rzp_live_...',
    description: 'Key id',
  },
  keySecret: {
    env: 'RAZORPAY_KEY_SECRET',
    pattern: /^\S{8,512}$/,
    message: 'keySecret must be 8 to 512 characters without spaces',
    description: 'Key secret',
  },
  webhookSecret: {
    env: 'RAZORPAY_WEBHOOK_SECRET',
    required: false,
    pattern: /^\S{8,512}$/,
    message: 'webhookSecret must be 8 to 512 characters without spaces',
    description: 'Webhook secret chosen in the Razorpay dashboard',
  },
} as const satisfies CredentialFields;

const RAZORPAY_API_BASE_DEFAULT = 'https://api.razorpay.com';

class RazorpayEnvironment {
  /** Where API requests go: only tests and local development point them elsewhere (the simulator). */
  @IsString() RAZORPAY_API_BASE = RAZORPAY_API_BASE_DEFAULT;
}

type RazorpayConfig = RazorpayEnvironment &
  PaymentEnvironment & { NODE_ENV: string; RAZORPAY_KEY_ID?: string; RAZORPAY_KEY_SECRET?: string };

function checkRazorpayEnvironment(config: RazorpayConfig): string[] {
  const problems = checkApiBase('RAZORPAY_API_BASE', config.RAZORPAY_API_BASE, RAZORPAY_API_BASE_DEFAULT, config.NODE_ENV === 'production');
  if (Boolean(config.RAZORPAY_KEY_ID) !== Boolean(config.RAZORPAY_KEY_SECRET))
    problems.push('RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET: set both or neither');
  return problems;
}

/** What Razorpay Checkout's handler returns to the client, sent on to POST /payments/razorpay/verify. */
export class RazorpayVerifyDto {
  @ApiProperty({ example: 'order_NAbc123' }) @IsString() @Matches(/^order_[A-Za-z0-9]{1,40}$/) razorpay_order_id!: string;
  @ApiProperty({ example: 'pay_NAbc456' }) @IsString() @Matches(/^pay_[A-Za-z0-9]{1,40}$/) razorpay_payment_id!: string;
  @ApiProperty({ description: 'Hex HMAC-SHA256 of "order_id|payment_id" under the key secret' })
  @IsString()
  @Length(1, 256)
  razorpay_signature!: string;
}

/** What the client gets to open Razorpay Checkout. */
class RazorpayInstructions {
  @ApiPropertyOptional({ description: 'key id for Razorpay Checkout', example: 'rzp_live_...' }) keyId?: string;
  @ApiPropertyOptional({ description: 'order_id for Razorpay Checkout', example: 'order_NAbc123' }) razorpayOrderId?: string;
  @ApiPropertyOptional({ description: 'amount in the currency subunit Razorpay expects', example: 99800 }) amount?: number;
}

/** The fields Orderline reads from Razorpay payment, order and refund entities (API responses and webhook payloads). */
interface PaymentEntity {
  id: string;
  order_id?: string | null;
  amount: number;
  currency: string;
  status: string;
  error_code?: string | null;
  error_description?: string | null;
}

interface OrderEntity {
  id: string;
  amount: number;
  currency: string;
  receipt?: string | null;
  notes?: unknown;
}

interface RefundEntity {
  id: string;
  payment_id: string;
  amount: number;
  currency: string;
  status: string;
  notes?: unknown;
}

interface WebhookBody {
  event?: string;
  payload?: { payment?: { entity: PaymentEntity }; order?: { entity: OrderEntity }; refund?: { entity: RefundEntity } };
}

/** The SDK's axios instance. The SDK hard-codes api.razorpay.com, so its base URL is re-pointed from configuration. */
interface RazorpayHttp {
  defaults: { baseURL?: string; timeout?: number };
  /** Used for refunds only (the SDK's refund call cannot send headers). */
  post(url: string, data: unknown, config: { headers: Record<string, string> }): Promise<{ data: RefundEntity }>;
}

/** Razorpay answers with an empty array instead of an empty object when there are no notes. */
const notesOf = (notes: unknown): Record<string, string> =>
  notes && typeof notes === 'object' && !Array.isArray(notes) ? (notes as Record<string, string>) : {};
const amountOf = (amount: number, currency: string) => fromProviderAmount(RAZORPAY_AMOUNT_RULES, amount, currency);

function hmacEquals(secret: string, data: string | Buffer, signatureHex: string): boolean {
  const expected = createHmac('sha256', secret).update(data).digest();
  const given = /^[0-9a-f]+$/i.test(signatureHex) ? Buffer.from(signatureHex, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Razorpay Orders and Payments through the official razorpay SDK. The Razorpay order id is our payment's providerRef. */
@Injectable()
export class RazorpayProvider extends PaymentProvider<typeof CREDENTIALS> {
  static readonly descriptor: PaymentProviderDescriptor = {
    name: 'razorpay',
    label: 'Razorpay',
    instruments: ['card', 'upi', 'netbanking', 'wallet'],
    currencies: 'any',
    credentials: CREDENTIALS,
    webhook: {
      headers: [
        { name: 'X-Razorpay-Signature', required: true, description: 'Razorpay: hex HMAC-SHA256 of the raw body under the webhook secret' },
        { name: 'X-Razorpay-Event-Id', required: false, description: 'Razorpay: the delivery id, kept across retries' },
      ],
    },
    confirmation: RazorpayVerifyDto,
    instructions: RazorpayInstructions,
    environment: RazorpayEnvironment,
    checkEnvironment: (config) => checkRazorpayEnvironment(config as unknown as RazorpayConfig),
  };

  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private cached?: { fingerprint: string; client: Razorpay };

  constructor(credentials: PaymentCredentialsSource, config: ConfigService<RazorpayConfig, true>) {
    super(credentials);
    this.baseUrl = config.get('RAZORPAY_API_BASE', { infer: true }).replace(/\/$/, '');
    this.timeoutMs = config.get('PAYMENT_PROVIDER_TIMEOUT_MS', { infer: true });
  }

  /**
   * Razorpay orders take no idempotency key, so the receipt (our order number) stands in for one: an order left by a
   * creation whose answer was lost is found by its receipt and reused instead of creating a second one.
   */
  async open(input: OpenPaymentInput): Promise<OpenedPayment> {
    const { razorpay } = await this.client();
    const amount = toProviderAmount(RAZORPAY_AMOUNT_RULES, input.amountMinor, input.currency);
    const currency = input.currency.toUpperCase();
    const earlier = await this.call(() => razorpay.orders.all({ receipt: input.receipt, count: 10 }));
    const reusable = (earlier.items as OrderEntity[]).find(
      (o) => o.receipt === input.receipt && o.amount === amount && o.currency === currency && notesOf(o.notes).orderId === input.orderId,
    );
    const order =
      reusable ??
      ((await this.call(() =>
        razorpay.orders.create({
          amount,
          currency,
          receipt: input.receipt,
          notes: {
            orderId: input.orderId,
            orderNumber: input.orderNumber,
            brandId: input.brandId,
            ...(input.brandSlug && { brand: input.brandSlug }),
          },
        }),
      )) as OrderEntity);
    return { providerRef: order.id, clientData: { amount: order.amount, currency: order.currency } };
  }

  override async publicKey(): Promise<string | undefined> {
    return (await this.credentials())?.keyId;
  }

  async instructions(payment: { providerRef: string; clientData: Record<string, unknown> }): Promise<Record<string, unknown>> {
    const { credentials } = await this.client();
    return {
      keyId: credentials.keyId,
      razorpayOrderId: payment.providerRef,
      amount: payment.clientData.amount,
      currency: payment.clientData.currency,
    };
  }

  /**
   * The checkout handler's signature only proves that this payment belongs to this Razorpay order. How much was
   * actually captured is read from Razorpay, and an authorized payment (manual capture accounts) is captured here.
   */
  override async confirm(input: Record<string, string>): Promise<{ paymentRef: string; events: PaymentEvent[] }> {
    const { razorpay, credentials } = await this.client();
    const { razorpay_order_id: orderId, razorpay_payment_id: paymentId, razorpay_signature: signature } = input;
    if (!hmacEquals(credentials.keySecret, `${orderId}|${paymentId}`, signature)) {
      throw new InvalidInputError('razorpay_signature does not match this order and payment', [
        { field: 'razorpay_signature', errors: ['signature mismatch'] },
      ]);
    }
    let payment = (await this.call(() => razorpay.payments.fetch(paymentId))) as PaymentEntity;
    if (payment.order_id !== orderId) throw new InvalidInputError('The payment does not belong to this Razorpay order');
    if (payment.status === 'authorized') {
      payment = (await this.call(() => razorpay.payments.capture(paymentId, payment.amount, payment.currency))) as PaymentEntity;
    }
    return { paymentRef: orderId, events: this.eventsOfPayment(payment) };
  }

  override async parseWebhook(rawBody: Buffer, headers: WebhookHeaders): Promise<VerifiedWebhook> {
    const { webhookSecret } = await this.requireCredentials();
    if (!webhookSecret) throw new ProviderNotConfiguredError(this.code);
    const signature = headerValue(headers, 'x-razorpay-signature');
    if (!signature) throw new InvalidWebhookSignatureError('missing X-Razorpay-Signature header');
    if (!hmacEquals(webhookSecret, rawBody, signature))
      throw new InvalidWebhookSignatureError('X-Razorpay-Signature does not match the body');
    let body: WebhookBody;
    try {
      body = JSON.parse(rawBody.toString('utf8')) as WebhookBody;
    } catch {
      throw new InvalidInputError('Webhook body is not JSON');
    }
    const type = typeof body.event === 'string' ? body.event : 'unknown';
    const payload = body.payload ?? {};
    const entityIds = [payload.payment?.entity.id, payload.order?.entity.id, payload.refund?.entity.id].filter(Boolean).join(':');
    // Razorpay identifies a delivery by X-Razorpay-Event-Id and keeps it across retries.
    const eventId = headerValue(headers, 'x-razorpay-event-id') ?? `${type}:${entityIds}`;
    return { eventId, type, events: this.eventsOfWebhook(type, payload) };
  }

  async reconcile(paymentRef: string): Promise<PaymentEvent[]> {
    const { razorpay } = await this.client();
    const payments = await this.call(() => razorpay.orders.fetchPayments(paymentRef));
    return (payments.items as PaymentEntity[]).flatMap((p) => this.eventsOfPayment(p));
  }

  async refund(input: RefundInput): Promise<ProviderRefund> {
    const { razorpay } = await this.client();
    const amount = toProviderAmount(RAZORPAY_AMOUNT_RULES, input.amountMinor, input.currency);
    // The SDK's refund call cannot send headers; its own HTTP client carries the documented X-Refund-Idempotency key.
    const http = (razorpay.api as unknown as { rq: RazorpayHttp }).rq;
    const response = await this.call(() =>
      http.post(
        `/v1/payments/${encodeURIComponent(input.providerPaymentId)}/refund`,
        {
          amount,
          speed: 'normal',
          receipt: input.refundId,
          notes: { orderId: input.orderId, refundId: input.refundId, ...(input.reason && { reason: input.reason.slice(0, 250) }) },
        },
        { headers: { 'X-Refund-Idempotency': input.refundId } },
      ),
    );
    return this.refundOf(response.data);
  }

  async fetchRefund(input: { providerRefundId: string; providerPaymentId: string }): Promise<ProviderRefund> {
    const { razorpay } = await this.client();
    return this.refundOf(
      (await this.call(() => razorpay.payments.fetchRefund(input.providerPaymentId, input.providerRefundId))) as RefundEntity,
    );
  }

  /** Razorpay has no call to cancel an order: an unpaid order simply stays unpaid, and a late payment is handled as such. */
  cancel(): Promise<void> {
    return Promise.resolve();
  }

  private eventsOfWebhook(type: string, payload: NonNullable<WebhookBody['payload']>): PaymentEvent[] {
    const payment = payload.payment?.entity;
    const orderId = notesOf(payload.order?.entity.notes).orderId;
    switch (type) {
      case 'payment.captured':
      case 'order.paid':
      case 'payment.failed':
        return payment ? this.eventsOfPayment(payment, orderId) : [];
      case 'refund.created':
      case 'refund.processed':
      case 'refund.failed': {
        const refund = payload.refund?.entity;
        if (!refund) return [];
        const capture = payment && this.captureOf(payment);
        return [
          {
            type: 'refund.updated',
            paymentRef: payment?.order_id ?? undefined,
            orderId: notesOf(refund.notes).orderId,
            refund: this.refundOf(refund),
            capture,
          },
        ];
      }
      default:
        return [];
    }
  }

  /** A payment that is captured, or was captured and then refunded, took money; a failed one did not. */
  private eventsOfPayment(payment: PaymentEntity, orderId?: string): PaymentEvent[] {
    const capture = this.captureOf(payment);
    if (capture) return [{ type: 'payment.captured', orderId, ...capture }];
    if (payment.status === 'failed' && payment.order_id) {
      return [
        {
          type: 'payment.failed',
          orderId,
          paymentRef: payment.order_id,
          providerPaymentId: payment.id,
          amountMinor: amountOf(payment.amount, payment.currency),
          currency: payment.currency.toUpperCase(),
          errorCode: payment.error_code ?? undefined,
          errorMessage: payment.error_description ?? undefined,
        },
      ];
    }
    return [];
  }

  private captureOf(payment: PaymentEntity): ProviderCapture | undefined {
    if (!payment.order_id || (payment.status !== 'captured' && payment.status !== 'refunded')) return undefined;
    return {
      paymentRef: payment.order_id,
      providerPaymentId: payment.id,
      amountMinor: amountOf(payment.amount, payment.currency),
      currency: payment.currency.toUpperCase(),
    };
  }

  private refundOf(refund: RefundEntity): ProviderRefund {
    return {
      providerRefundId: refund.id,
      refundId: notesOf(refund.notes).refundId,
      providerPaymentId: refund.payment_id,
      amountMinor: amountOf(refund.amount, refund.currency),
      currency: refund.currency.toUpperCase(),
      status: refund.status === 'processed' ? 'SUCCEEDED' : refund.status === 'failed' ? 'FAILED' : 'PENDING',
    };
  }

  /** One SDK client per key pair, so credentials changed at runtime take effect on the next call. */
  private async client(): Promise<{ razorpay: Razorpay; credentials: CredentialValues<typeof CREDENTIALS> }> {
    const credentials = await this.requireCredentials();
    const fingerprint = createHmac('sha256', credentials.keySecret).update(credentials.keyId).digest('hex');
    if (this.cached?.fingerprint !== fingerprint) {
      // Loaded on first use: an instance that never calls Razorpay does not hold the SDK (and axios) in memory.
      const { default: RazorpaySdk } = await import('razorpay');
      const client = new RazorpaySdk({ key_id: credentials.keyId, key_secret: credentials.keySecret });
      const http = (client.api as unknown as { rq: RazorpayHttp }).rq;
      http.defaults.baseURL = this.baseUrl;
      http.defaults.timeout = this.timeoutMs;
      this.cached = { fingerprint, client };
    }
    return { razorpay: this.cached.client, credentials };
  }

  /**
   * The SDK rejects with `{ statusCode, error }` for API answers and the raw HTTP client with `response.status`.
   * 4xx answers are refusals; anything else (network, timeout, 5xx, auth, rate limit, idempotency in flight) is an
   * unknown outcome.
   */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const e = error as
        | {
            statusCode?: number | string;
            error?: { code?: string; description?: string };
            response?: { status?: number; data?: { error?: { code?: string; description?: string } } };
            message?: string;
          }
        | null
        | undefined;
      const status = Number(e?.statusCode ?? e?.response?.status ?? 0);
      const detail = e?.error ?? e?.response?.data?.error;
      const message = detail?.description ?? e?.message ?? 'request failed';
      if (isProviderRefusal(status)) throw new ProviderRejectedError(this.code, detail?.code, message);
      throw new ProviderUnavailableError(this.code, status ? `HTTP ${status}: ${message}` : message);
    }
  }
}
