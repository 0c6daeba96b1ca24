import type { PaymentMethod } from '../generated/prisma/enums.js';
import { DomainError, InvalidInputError, ServiceUnavailableError, UnprocessableError } from '../common/errors/domain-errors.js';

/** What a provider needs to create the payment object of one of our orders. Amounts are our minor units. */
export interface CreatePaymentInput {
  orderId: string;
  orderNumber: string;
  amountMinor: number;
  currency: string;
  /** Derived from our order id: a retried creation returns the same provider object instead of a second one. */
  idempotencyKey: string;
  /** Provider-side reference that is unique per creation (Razorpay receipt). */
  receipt: string;
  brandSlug?: string;
}

export interface CreatedPayment {
  /** Stripe PaymentIntent id, Razorpay order id, or our own reference for cash on delivery. */
  providerRef: string;
  /** Provider data the client needs later (stored; never contains our secrets). */
  clientData: Record<string, unknown>;
}

/** A provider payment that took money, expressed in our minor units. */
export interface ProviderCapture {
  paymentRef: string;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
}

export interface ProviderRefund {
  providerRefundId: string;
  /** Our refund row id when the refund was created by us (metadata / notes); absent for refunds made at the provider. */
  refundId?: string;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
}

/**
 * What happened at the provider, in Orderline's terms. Webhooks, client confirmations and status fetches all turn into
 * these, and one code path applies them.
 */
export type PaymentEvent =
  | ({ type: 'payment.captured'; orderId?: string } & ProviderCapture)
  | { type: 'payment.failed'; orderId?: string; paymentRef: string; providerPaymentId: string; amountMinor: number; currency: string; errorCode?: string; errorMessage?: string }
  | { type: 'payment.cancelled'; orderId?: string; paymentRef: string }
  | { type: 'refund.updated'; orderId?: string; paymentRef?: string; refund: ProviderRefund; capture?: ProviderCapture };

export interface VerifiedWebhook {
  eventId: string;
  type: string;
  /** Empty for event types Orderline does not act on. */
  events: PaymentEvent[];
}

export interface RefundInput {
  /** Our refund row id: the provider idempotency key and the note that links the provider refund back to us. */
  refundId: string;
  orderId: string;
  paymentRef: string;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  reason?: string;
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

/**
 * One payment provider. Implementations are the only code that talks to a provider SDK; everything else in Orderline
 * sees these provider-neutral shapes.
 */
export interface PaymentProvider {
  readonly method: PaymentMethod;
  /** Whether the provider's credentials are configured right now. */
  isEnabled(): Promise<boolean>;
  createPayment(input: CreatePaymentInput): Promise<CreatedPayment>;
  /** The key a browser loads the provider's checkout with (Stripe publishable key, Razorpay key id); none for cash. */
  publicKey?(): Promise<string | undefined>;
  /** Fields the client needs next to the stored clientData (public keys, read fresh so key rotation applies). */
  clientInstructions(payment: { providerRef: string; clientData: Record<string, unknown> }): Promise<Record<string, unknown>>;
  /**
   * Verifies a client-side confirmation (Razorpay checkout handler) and reports the payment as the provider sees it.
   * Throws InvalidInputError for a bad signature before calling the provider.
   */
  verifyClientConfirmation?(input: Record<string, string>): Promise<{ paymentRef: string; events: PaymentEvent[] }>;
  /** Verifies the signature over the raw body and parses the event. Throws InvalidWebhookSignatureError. */
  parseWebhook(rawBody: Buffer, headers: WebhookHeaders): Promise<VerifiedWebhook>;
  /** The current state of a provider payment object, as events. */
  fetchPayment(paymentRef: string): Promise<PaymentEvent[]>;
  refund(input: RefundInput): Promise<ProviderRefund>;
  fetchRefund(input: { providerRefundId: string; providerPaymentId: string }): Promise<ProviderRefund>;
  /** Cancels an unpaid provider payment so it can no longer take money (no-op where the provider has no such call). */
  cancelPayment(paymentRef: string): Promise<void>;
}

export class ProviderNotConfiguredError extends ServiceUnavailableError {
  constructor(method: PaymentMethod) {
    super(`Payment method ${method} is not configured`);
  }
}

/** Checkout asked for a payment method whose provider is not configured: refused before anything is reserved. */
export class PaymentMethodUnavailableError extends UnprocessableError {
  constructor(method: PaymentMethod, available: PaymentMethod[]) {
    const name = (m: PaymentMethod) => m.toLowerCase();
    super(`Payment method ${name(method)} is not available; choose one of: ${available.map(name).join(', ')}`, {
      code: 'PAYMENT_METHOD_UNAVAILABLE', field: 'paymentMethod', paymentMethod: name(method), availableMethods: available.map(name),
    });
  }
}

export class InvalidWebhookSignatureError extends InvalidInputError {
  constructor(reason: string) {
    super(`Webhook signature verification failed: ${reason}`);
  }
}

/** The provider answered and refused (4xx): retrying the same request cannot succeed. */
export class ProviderRejectedError extends DomainError {
  readonly status = 422;
  constructor(readonly method: PaymentMethod, readonly code: string | undefined, message: string) {
    super(`${method} refused the request: ${message}`, { provider: method, code });
  }
}

/**
 * Whether a provider's HTTP status is a refusal (ProviderRejectedError): a 4xx other than auth (401, 403), idempotency
 * in flight (409) and rate limiting (429), which leave the outcome unknown.
 */
export function isProviderRefusal(status: number): boolean {
  return status >= 400 && status < 500 && ![401, 403, 409, 429].includes(status);
}

/** The provider could not be reached or failed (network, timeout, 5xx): the outcome is unknown, retry with the same idempotency key. */
export class ProviderUnavailableError extends ServiceUnavailableError {
  constructor(readonly method: PaymentMethod, reason: string) {
    super(`${method} is unavailable: ${reason}`);
  }
}

export function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
