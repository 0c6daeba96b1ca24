import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import type { CredentialFields } from '../../src/settings/credential-catalogue.js';
import { PaymentCredentialsSource } from '../../src/payments/payment-credentials.js';
import {
  headerValue,
  InvalidWebhookSignatureError,
  isProviderRefusal,
  PaymentProvider,
  ProviderNotConfiguredError,
  ProviderRejectedError,
  ProviderUnavailableError,
  type OpenedPayment,
  type OpenPaymentInput,
  type PaymentEvent,
  type PaymentProviderDescriptor,
  type ProviderCapture,
  type ProviderRefund,
  type RefundInput,
  type VerifiedWebhook,
  type WebhookHeaders,
} from '../../src/payments/payment-provider.js';

/**
 * The fourth payment provider, which exists only in the tests: AcmePay (see test/provider-simulator/acmepay-simulator.ts).
 * Adding it to Orderline is this file plus one line, `registerPaymentProvider(AcmePayProvider)`; checkout, webhooks,
 * refunds, reconciliation, settings and the API documentation take it from there.
 */

const CREDENTIALS = {
  apiKey: {
    env: 'ACMEPAY_API_KEY',
    pattern: /^ak_(test|live)_\S{4,}$/,
    message: 'apiKey must be an AcmePay API key (ak_...)',
    description: 'API key',
  },
  webhookSecret: { env: 'ACMEPAY_WEBHOOK_SECRET', required: false, description: 'Webhook signing secret' },
} as const satisfies CredentialFields;

const TOLERANCE_SECONDS = 300;

interface Checkout {
  id: string;
  amount: number;
  currency: string;
  status: 'open' | 'paid' | 'cancelled';
  metadata: Record<string, string>;
  payments: Payment[];
}

interface Payment {
  id: string;
  checkout: string;
  amount: number;
  currency: string;
  status: 'captured' | 'failed';
  failure_code: string | null;
}

interface Refund {
  id: string;
  payment: string;
  checkout: string;
  amount: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed';
  metadata: Record<string, string>;
}

interface WebhookBody {
  id?: string;
  type?: string;
  data?: { checkout?: Checkout; payment?: Payment; refund?: Refund };
}

/** Its own environment variable: where its API is (the tests point it at the simulator). */
class AcmePayEnvironment {
  @IsString() ACMEPAY_API_BASE = 'https://api.acmepay.example';
}

class AcmePayInstructions {
  @ApiPropertyOptional({ description: 'checkout to send the customer to', example: 'chk_N5xa1' }) checkoutId?: string;
}

@Injectable()
export class AcmePayProvider extends PaymentProvider<typeof CREDENTIALS> {
  static readonly descriptor: PaymentProviderDescriptor = {
    name: 'acmepay',
    label: 'AcmePay',
    instruments: ['card', 'bank_transfer'],
    currencies: ['INR', 'USD', 'EUR'],
    credentials: CREDENTIALS,
    webhook: {
      headers: [{ name: 'Acme-Signature', required: true, description: 'AcmePay: t=<timestamp>,sha256=<HMAC-SHA256 of "t.body">' }],
    },
    instructions: AcmePayInstructions,
    environment: AcmePayEnvironment,
  };

  private readonly baseUrl: string;

  constructor(credentials: PaymentCredentialsSource, config: ConfigService<AcmePayEnvironment, true>) {
    super(credentials);
    this.baseUrl = config.get('ACMEPAY_API_BASE', { infer: true });
  }

  async open(input: OpenPaymentInput): Promise<OpenedPayment> {
    const checkout = await this.request<Checkout>('POST', '/v1/checkouts', {
      body: {
        amount: input.amountMinor,
        currency: input.currency,
        reference: input.receipt,
        metadata: { orderId: input.orderId, orderNumber: input.orderNumber },
      },
      idempotencyKey: input.idempotencyKey,
    });
    return { providerRef: checkout.id, clientData: {} };
  }

  async instructions(payment: { providerRef: string }): Promise<Record<string, unknown>> {
    return { checkoutId: payment.providerRef };
  }

  override async parseWebhook(rawBody: Buffer, headers: WebhookHeaders): Promise<VerifiedWebhook> {
    const { webhookSecret } = await this.requireCredentials();
    if (!webhookSecret) throw new ProviderNotConfiguredError(this.code);
    const fields = Object.fromEntries((headerValue(headers, 'acme-signature') ?? '').split(',').map((part) => part.split('=')));
    const timestamp = Number(fields.t);
    if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_SECONDS)
      throw new InvalidWebhookSignatureError('stale or missing Acme-Signature timestamp');
    const expected = createHmac('sha256', webhookSecret).update(`${fields.t}.`).update(rawBody).digest();
    const given = Buffer.from(/^[0-9a-f]+$/i.test(fields.sha256 ?? '') ? fields.sha256 : '', 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new InvalidWebhookSignatureError('Acme-Signature does not match the body');
    const body = JSON.parse(rawBody.toString('utf8')) as WebhookBody;
    const type = body.type ?? 'unknown';
    return { eventId: body.id ?? `${type}:${rawBody.length}`, type, events: this.eventsOf(type, body.data ?? {}) };
  }

  async reconcile(paymentRef: string): Promise<PaymentEvent[]> {
    const checkout = await this.request<Checkout>('GET', `/v1/checkouts/${encodeURIComponent(paymentRef)}`);
    if (checkout.status === 'cancelled') return [{ type: 'payment.cancelled', paymentRef, orderId: checkout.metadata.orderId }];
    return checkout.payments.map((payment) => this.paymentEvent(payment, checkout.metadata.orderId));
  }

  async refund(input: RefundInput): Promise<ProviderRefund> {
    const refund = await this.request<Refund>('POST', '/v1/refunds', {
      body: { payment: input.providerPaymentId, amount: input.amountMinor, metadata: { orderId: input.orderId, refundId: input.refundId } },
      idempotencyKey: `refund-${input.refundId}`,
    });
    return this.refundOf(refund);
  }

  async fetchRefund(input: { providerRefundId: string }): Promise<ProviderRefund> {
    return this.refundOf(await this.request<Refund>('GET', `/v1/refunds/${encodeURIComponent(input.providerRefundId)}`));
  }

  async cancel(paymentRef: string): Promise<void> {
    await this.request('POST', `/v1/checkouts/${encodeURIComponent(paymentRef)}/cancel`);
  }

  private eventsOf(type: string, data: NonNullable<WebhookBody['data']>): PaymentEvent[] {
    const orderId = data.checkout?.metadata.orderId ?? data.refund?.metadata.orderId;
    if ((type === 'payment.captured' || type === 'payment.failed') && data.payment) return [this.paymentEvent(data.payment, orderId)];
    if (type === 'checkout.cancelled' && data.checkout) return [{ type: 'payment.cancelled', paymentRef: data.checkout.id, orderId }];
    if (type.startsWith('refund.') && data.refund) {
      const capture = data.payment && this.captureOf(data.payment);
      return [{ type: 'refund.updated', paymentRef: data.refund.checkout, orderId, refund: this.refundOf(data.refund), capture }];
    }
    return [];
  }

  private paymentEvent(payment: Payment, orderId?: string): PaymentEvent {
    const capture = this.captureOf(payment);
    if (capture) return { type: 'payment.captured', orderId, ...capture };
    return {
      type: 'payment.failed',
      orderId,
      paymentRef: payment.checkout,
      providerPaymentId: payment.id,
      amountMinor: payment.amount,
      currency: payment.currency,
      errorCode: payment.failure_code ?? undefined,
    };
  }

  private captureOf(payment: Payment): ProviderCapture | undefined {
    return payment.status === 'captured'
      ? { paymentRef: payment.checkout, providerPaymentId: payment.id, amountMinor: payment.amount, currency: payment.currency }
      : undefined;
  }

  private refundOf(refund: Refund): ProviderRefund {
    return {
      providerRefundId: refund.id,
      refundId: refund.metadata.refundId,
      providerPaymentId: refund.payment,
      amountMinor: refund.amount,
      currency: refund.currency,
      status: refund.status === 'succeeded' ? 'SUCCEEDED' : refund.status === 'failed' ? 'FAILED' : 'PENDING',
    };
  }

  private async request<T>(method: string, path: string, options: { body?: unknown; idempotencyKey?: string } = {}): Promise<T> {
    const { apiKey } = await this.requireCredentials();
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(options.body !== undefined && { 'content-type': 'application/json' }),
          ...(options.idempotencyKey && { 'idempotency-key': options.idempotencyKey }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ProviderUnavailableError(this.code, (error as Error).message);
    }
    const answer = (await response.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } };
    if (response.ok) return answer;
    const message = answer.error?.message ?? `HTTP ${response.status}`;
    if (isProviderRefusal(response.status)) throw new ProviderRejectedError(this.code, answer.error?.code, message);
    throw new ProviderUnavailableError(this.code, `HTTP ${response.status}: ${message}`);
  }
}
