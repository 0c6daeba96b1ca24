import { Injectable } from '@nestjs/common';
import { PaymentCredentialsSource, type RazorpayCredentials, type StripeCredentials } from './payment-credentials.js';
import { SettingsService } from '../settings/settings.service.js';

/**
 * Provider credentials as admins set them in /admin/settings, each field falling back to its environment variable.
 * Read on every provider call (through the settings cache), so a key change applies to the next checkout and webhook.
 */
@Injectable()
export class SettingsPaymentCredentialsSource extends PaymentCredentialsSource {
  constructor(private readonly settings: SettingsService) {
    super();
  }

  async stripe(): Promise<StripeCredentials | undefined> {
    const [secretKey, publishableKey, webhookSecret] = await Promise.all([
      this.settings.credential('stripe', 'secretKey'), this.settings.credential('stripe', 'publishableKey'), this.settings.credential('stripe', 'webhookSecret'),
    ]);
    return secretKey && publishableKey ? { secretKey, publishableKey, webhookSecret } : undefined;
  }

  async razorpay(): Promise<RazorpayCredentials | undefined> {
    const [keyId, keySecret, webhookSecret] = await Promise.all([
      this.settings.credential('razorpay', 'keyId'), this.settings.credential('razorpay', 'keySecret'), this.settings.credential('razorpay', 'webhookSecret'),
    ]);
    return keyId && keySecret ? { keyId, keySecret, webhookSecret } : undefined;
  }
}
