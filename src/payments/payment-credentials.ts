export interface StripeCredentials {
  secretKey: string;
  publishableKey: string;
  webhookSecret?: string;
}

export interface RazorpayCredentials {
  keyId: string;
  keySecret: string;
  webhookSecret?: string;
}

/**
 * Where the adapters get provider credentials, on every call, so they can change at runtime without a restart
 * (PaymentsModule binds the brand-settings source, which falls back to the STRIPE_* / RAZORPAY_* environment
 * variables). `undefined` means the provider is not configured.
 */
export abstract class PaymentCredentialsSource {
  abstract stripe(): Promise<StripeCredentials | undefined>;
  abstract razorpay(): Promise<RazorpayCredentials | undefined>;
}
