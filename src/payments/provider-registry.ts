import { extendEnvironment, optionalStrings } from '../config/environment-extensions.js';
import { defineCredentials } from '../settings/credential-catalogue.js';
import type { PaymentProvider, PaymentProviderClass } from './payment-provider.js';

const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const registered = new Map<string, PaymentProviderClass>();

/**
 * Registers a payment provider class, before the app is created: checkout, webhooks, settings, the configuration
 * (its environment variables) and the API documentation pick it up from here. Registering the same class again changes nothing; another class under a
 * name already taken is refused.
 */
export function registerPaymentProvider(provider: PaymentProviderClass): void {
  const { descriptor } = provider;
  const implemented = provider.prototype as Partial<PaymentProvider>;
  const problem = !NAME.test(descriptor.name)
    ? `name "${descriptor.name}" must be lower-case letters, digits and _ (at most 32)`
    : registered.has(descriptor.name) && registered.get(descriptor.name) !== provider
      ? `the name "${descriptor.name}" is taken`
      : Boolean(descriptor.webhook) !== (typeof implemented.parseWebhook === 'function')
        ? 'declares webhook headers exactly when it implements parseWebhook'
        : Boolean(descriptor.confirmation) !== (typeof implemented.confirm === 'function')
          ? 'declares a confirmation body exactly when it implements confirm'
          : undefined;
  if (problem) throw new Error(`Payment provider ${provider.name}: ${problem}`);
  registered.set(descriptor.name, provider);
  if (Object.keys(descriptor.credentials).length)
    defineCredentials(descriptor.name, descriptor.credentials, { label: descriptor.label, group: 'payments' });
  const credentialVariables = Object.values(descriptor.credentials).map((field) => field.env);
  extendEnvironment(`payments.${descriptor.name}.credentials`, { variables: optionalStrings(credentialVariables) });
  extendEnvironment(`payments.${descriptor.name}`, { variables: descriptor.environment, check: descriptor.checkEnvironment });
}

/** Every registered provider class, in registration order. */
export const registeredProviders = (): PaymentProviderClass[] => [...registered.values()];
