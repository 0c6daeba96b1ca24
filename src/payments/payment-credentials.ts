import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../config/configuration.js';

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
 * Where the adapters get provider credentials, on every call, so a source that reads brand settings can change them
 * at runtime without a restart. Bind another implementation to this token to replace the environment.
 */
export abstract class PaymentCredentialsSource {
  abstract stripe(): Promise<StripeCredentials | undefined>;
  abstract razorpay(): Promise<RazorpayCredentials | undefined>;
}

/** Credentials from the environment (STRIPE_* and RAZORPAY_* variables). */
@Injectable()
export class EnvPaymentCredentialsSource extends PaymentCredentialsSource {
  constructor(private readonly config: ConfigService<EnvironmentVariables, true>) {
    super();
  }

  async stripe(): Promise<StripeCredentials | undefined> {
    const secretKey = this.config.get('STRIPE_SECRET_KEY', { infer: true });
    const publishableKey = this.config.get('STRIPE_PUBLISHABLE_KEY', { infer: true });
    if (!secretKey || !publishableKey) return undefined;
    return { secretKey, publishableKey, webhookSecret: this.config.get('STRIPE_WEBHOOK_SECRET', { infer: true }) || undefined };
  }

  async razorpay(): Promise<RazorpayCredentials | undefined> {
    const keyId = this.config.get('RAZORPAY_KEY_ID', { infer: true });
    const keySecret = this.config.get('RAZORPAY_KEY_SECRET', { infer: true });
    if (!keyId || !keySecret) return undefined;
    return { keyId, keySecret, webhookSecret: this.config.get('RAZORPAY_WEBHOOK_SECRET', { infer: true }) || undefined };
  }
}
