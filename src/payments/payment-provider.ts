import { Injectable, type Type } from '@nestjs/common';
import { DomainError, InvalidInputError, ServiceUnavailableError, UnprocessableError } from '../common/errors/domain-errors.js';
import type { VariablesClass } from '../config/environment-extensions.js';
import type { CredentialFields } from '../settings/credential-catalogue.js';
import type { PaymentMethod } from '../orders/payment-gateway.js';
import { PaymentCredentialsSource } from './payment-credentials.js';

/** What a provider needs to open the payment object of one of our orders. Amounts are our minor units. */
export interface OpenPaymentInput {
  orderId: string;
  orderNumber: string;
  amountMinor: number;
  currency: string;
  /** Derived from our order id: a retried creation returns the same provider object instead of a second one. */
  idempotencyKey: string;
  /** Provider-side reference that is unique per creation (Razorpay receipt). */
  receipt: string;
  /** The brand the order belongs to (README "Brands"): with the order id in the provider's metadata/notes, so every payment traces back to one order of one brand. */
  brandId: string;
  brandSlug?: string;
}

export interface OpenedPayment {
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
  | {
      type: 'payment.failed';
      orderId?: string;
      paymentRef: string;
      providerPaymentId: string;
      amountMinor: number;
      currency: string;
      errorCode?: string;
      errorMessage?: string;
    }
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

/** A header a provider's webhooks carry (documented on POST /webhooks/{provider}). */
export interface WebhookHeader {
  name: string;
  required: boolean;
  description: string;
}

/**
 * What a payment provider is, declared once in its class (`static readonly descriptor`) and read by the registry:
 * checkout's payment method names, the webhook route, the credential fields of /admin/settings and the API
 * documentation all come from here.
 */
export interface PaymentProviderDescriptor {
  /** Lower case: the checkout `paymentMethod`, the path of /webhooks/{name}, the key of its settings credentials. */
  name: string;
  label: string;
  /** How customers pay through it (card, upi, netbanking, wallet, cash...), for clients choosing what to show. */
  instruments: readonly string[];
  /** ISO 4217 codes it can charge, or 'any'. */
  currencies: 'any' | readonly string[];
  /**
   * Paid when the goods arrive (cash on delivery): checkout sells the stock at once (CONFIRM_COD) and delivery
   * records the money. Otherwise the order awaits payment with its stock reserved.
   */
  collectsOnDelivery?: boolean;
  /** Its credentials: offered only while the required ones are set (environment, or /admin/settings). */
  credentials: CredentialFields;
  /** Present when it sends webhooks (implements parseWebhook): the headers that carry the signature and event id. */
  webhook?: { headers: readonly WebhookHeader[] };
  /** Present when clients confirm payments (implements confirm): the body of POST /payments/{name}/verify. */
  confirmation?: Type<object>;
  /** The fields `instructions` adds for the client, documented in the OpenAPI document. */
  instructions?: Type<object>;
  /**
   * Its own environment variables beyond the credentials' (an API base, a tolerance): a class like the base's
   * EnvironmentVariables, read through the ConfigService. The credentials' variables are declared from `credentials`.
   */
  environment?: VariablesClass;
  /** Start-up problems of its configuration (half-set credentials, a simulator address in production), one line each. */
  checkEnvironment?: (config: Record<string, unknown>) => string[];
}

/** The code stored on orders, payments and webhook events: the name in upper case. */
export const providerCode = (descriptor: Pick<PaymentProviderDescriptor, 'name'>): PaymentMethod => descriptor.name.toUpperCase();

/** Our reference for money collected on delivery, where there is no provider object: <name>_<orderId>. */
export const collectionReference = (descriptor: Pick<PaymentProviderDescriptor, 'name'>, orderId: string) =>
  `${descriptor.name}_${orderId}`;

/** The values of a provider's credential fields: the required ones are always there. */
export type CredentialValues<F extends CredentialFields = CredentialFields> = {
  [K in keyof F]: F[K] extends { required: false } ? string | undefined : string;
};

/**
 * One payment provider: the only code that talks to its SDK or API; everything else sees these provider-neutral
 * shapes. A provider is this class, extended once, plus one registration line (payments/providers/index.ts). Modelled
 * on Medusa's AbstractPaymentProvider: typed input and output per operation, webhooks parsed into actions. Injectable
 * itself, so a provider that needs nothing more than its credentials declares no constructor.
 */
@Injectable()
export abstract class PaymentProvider<F extends CredentialFields = CredentialFields> {
  constructor(private readonly credentialSource: PaymentCredentialsSource) {}

  get descriptor(): PaymentProviderDescriptor {
    return (this.constructor as PaymentProviderClass).descriptor;
  }

  get code(): PaymentMethod {
    return providerCode(this.descriptor);
  }

  /**
   * Its credentials in effect right now, read on every call so a change in /admin/settings applies at once; undefined
   * until the required ones are set.
   */
  protected credentials(): Promise<CredentialValues<F> | undefined> {
    return this.credentialSource.of(this.descriptor.name, this.descriptor.credentials) as Promise<CredentialValues<F> | undefined>;
  }

  /** Its credentials, or 503 when it is not configured. */
  protected async requireCredentials(): Promise<CredentialValues<F>> {
    const credentials = await this.credentials();
    if (!credentials) throw new ProviderNotConfiguredError(this.code);
    return credentials;
  }

  /** Whether customers can pay with it right now: its required credentials are set. */
  async isEnabled(): Promise<boolean> {
    return (await this.credentials()) !== undefined;
  }

  /** Opens the provider's payment object for an order (idempotent on input.idempotencyKey). */
  abstract open(input: OpenPaymentInput): Promise<OpenedPayment>;

  /** Fields the client needs next to the stored clientData (public keys, read fresh so key rotation applies). */
  abstract instructions(payment: { providerRef: string; clientData: Record<string, unknown> }): Promise<Record<string, unknown>>;

  /** The key a browser loads its checkout with (Stripe publishable key, Razorpay key id): public by design; none for cash. */
  publicKey?(): Promise<string | undefined>;

  /**
   * Verifies a client-side confirmation (descriptor.confirmation is its body) and reports the payment as the provider
   * sees it. Throws InvalidInputError for a bad signature before calling the provider.
   */
  confirm?(input: Record<string, string>): Promise<{ paymentRef: string; events: PaymentEvent[] }>;

  /** Verifies the signature over the raw body and parses the event (descriptor.webhook). Throws InvalidWebhookSignatureError. */
  parseWebhook?(rawBody: Buffer, headers: WebhookHeaders): Promise<VerifiedWebhook>;

  /** The current state of a provider payment object, as events (lost webhooks, abandoned payments). */
  abstract reconcile(paymentRef: string): Promise<PaymentEvent[]>;

  abstract refund(input: RefundInput): Promise<ProviderRefund>;

  abstract fetchRefund(input: { providerRefundId: string; providerPaymentId: string }): Promise<ProviderRefund>;

  /** Cancels an unpaid provider payment so it can no longer take money (no-op where the provider has no such call). */
  abstract cancel(paymentRef: string): Promise<void>;
}

/** A provider class as the registry holds it: constructible by Nest's injector, with its descriptor. */
export type PaymentProviderClass = Type<PaymentProvider> & { readonly descriptor: PaymentProviderDescriptor };

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
      code: 'PAYMENT_METHOD_UNAVAILABLE',
      field: 'paymentMethod',
      paymentMethod: name(method),
      availableMethods: available.map(name),
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
  constructor(
    readonly method: PaymentMethod,
    readonly code: string | undefined,
    message: string,
  ) {
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
  constructor(
    readonly method: PaymentMethod,
    reason: string,
  ) {
    super(`${method} is unavailable: ${reason}`);
  }
}

export { headerValue } from '../common/http/headers.js';
