import type { CredentialFields } from '../settings/credential-catalogue.js';

/**
 * Where providers get their credentials, on every call, so they can change at runtime without a restart
 * (PaymentsModule binds the brand-settings source, which falls back to each field's environment variable).
 */
export abstract class PaymentCredentialsSource {
  /** The provider's credential values in effect, or undefined while a required one is missing. */
  abstract of(provider: string, fields: CredentialFields): Promise<Record<string, string | undefined> | undefined>;
}
