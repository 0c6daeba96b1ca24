import { extendEnvironment, optionalStrings } from '../config/environment-extensions.js';
import { defineCredentials } from '../settings/credential-catalogue.js';
import type { CarrierProvider, CarrierProviderClass } from './carrier-provider.js';

const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const registered = new Map<string, CarrierProviderClass>();

/**
 * Registers a carrier class before the app is created: booking, tracking webhooks, the polling job, settings (its
 * credentials, stored encrypted like payment credentials) and the configuration pick it up from here.
 */
export function registerCarrier(carrier: CarrierProviderClass): void {
  const { descriptor } = carrier;
  const implemented = carrier.prototype as Partial<CarrierProvider>;
  const problem = !NAME.test(descriptor.name)
    ? `name "${descriptor.name}" must be lower-case letters, digits and _ (at most 32)`
    : registered.has(descriptor.name) && registered.get(descriptor.name) !== carrier
      ? `the name "${descriptor.name}" is taken`
      : Boolean(descriptor.webhook) !== (typeof implemented.parseWebhook === 'function')
        ? 'declares a webhook exactly when it implements parseWebhook'
        : Boolean(descriptor.polled) !== (typeof implemented.track === 'function')
          ? 'declares polling exactly when it implements track'
          : undefined;
  if (problem) throw new Error(`Carrier ${carrier.name}: ${problem}`);
  registered.set(descriptor.name, carrier);
  if (Object.keys(descriptor.credentials).length)
    defineCredentials(descriptor.name, descriptor.credentials, { label: descriptor.label, group: 'shipping' });
  const credentialVariables = Object.values(descriptor.credentials).map((field) => field.env);
  extendEnvironment(`shipping.${descriptor.name}.credentials`, { variables: optionalStrings(credentialVariables) });
  extendEnvironment(`shipping.${descriptor.name}`, { variables: descriptor.environment, check: descriptor.checkEnvironment });
}

/** Every registered carrier class, in registration order. */
export const registeredCarriers = (): CarrierProviderClass[] => [...registered.values()];
