import { declaresExactlyWhenImplemented, Registry } from '../common/registry.js';
import { declareProviderConfiguration } from '../settings/credential-catalogue.js';
import type { CarrierProviderClass } from './carrier-provider.js';

const carriers = new Registry<CarrierProviderClass>(
  'Carrier',
  [
    declaresExactlyWhenImplemented('a webhook', (c) => Boolean(c.descriptor.webhook), 'parseWebhook'),
    declaresExactlyWhenImplemented('polling', (c) => Boolean(c.descriptor.polled), 'track'),
  ],
  (carrier) => declareProviderConfiguration('shipping', carrier.descriptor),
);

/**
 * Registers a carrier class before the app is created: booking, tracking webhooks, the polling job, settings (its
 * credentials, stored encrypted like payment credentials) and the configuration pick it up from here.
 */
export function registerCarrier(carrier: CarrierProviderClass): void {
  carriers.register(carrier);
}

/** Every registered carrier class, in registration order. */
export const registeredCarriers = (): CarrierProviderClass[] => carriers.all();
