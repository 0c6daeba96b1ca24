import { declaresExactlyWhenImplemented, Registry } from '../common/registry.js';
import { declareProviderConfiguration } from '../settings/credential-catalogue.js';
import type { PaymentProviderClass } from './payment-provider.js';

const providers = new Registry<PaymentProviderClass>(
  'Payment provider',
  [
    declaresExactlyWhenImplemented('webhook headers', (p) => Boolean(p.descriptor.webhook), 'parseWebhook'),
    declaresExactlyWhenImplemented('a confirmation body', (p) => Boolean(p.descriptor.confirmation), 'confirm'),
  ],
  (provider) => declareProviderConfiguration('payments', provider.descriptor),
);

/**
 * Registers a payment provider class, before the app is created: checkout, webhooks, settings, the configuration
 * (its environment variables) and the API documentation pick it up from here. Registering the same class again changes
 * nothing; another class under a name already taken is refused.
 */
export function registerPaymentProvider(provider: PaymentProviderClass): void {
  providers.register(provider);
}

/** Every registered provider class, in registration order. */
export const registeredProviders = (): PaymentProviderClass[] => providers.all();
