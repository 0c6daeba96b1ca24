import { extendEnvironment, optionalStrings, type VariablesClass } from '../config/environment-extensions.js';

/**
 * The credentials admins may set in /admin/settings, per provider: the port through which payments/, shipping/ and
 * notifications/ tell settings what to store, validate and show. Each registered payment provider, carrier and
 * notification channel defines its fields here; settings knows no provider by name.
 */
export interface CredentialField {
  /** The environment variable the value falls back to when the settings hold none. */
  env: string;
  /** Needed for the provider to be offered (the default); optional ones, like webhook secrets, are used when set. */
  required?: boolean;
  /** What a value must look like, and the message when it does not. */
  pattern?: RegExp;
  message?: string;
  description: string;
  example?: string;
}

export type CredentialFields = Readonly<Record<string, CredentialField>>;

/** Stored shape of brand_settings.credentials: provider → field → SecretBox ciphertext. */
export type StoredCredentials = Partial<Record<string, Record<string, string>>>;

/** What a provider's credentials are for: the console shows each group in its own section. */
export const CREDENTIAL_GROUPS = ['payments', 'shipping', 'notifications'] as const;
export type CredentialGroup = (typeof CREDENTIAL_GROUPS)[number];

export interface CredentialOwner {
  /** The provider's name in words ("Stripe", "SMS (Twilio)"). */
  label: string;
  group: CredentialGroup;
}

const catalogue = new Map<string, CredentialFields>();
const owners = new Map<string, CredentialOwner>();
let version = 0;

/** Defines (or redefines) the credential fields of a provider. */
export function defineCredentials(provider: string, fields: CredentialFields, owner: CredentialOwner): void {
  catalogue.set(provider, fields);
  owners.set(provider, owner);
  version++;
}

/** Bumped by every definition: what is built from the catalogue is rebuilt when it changes. */
export const catalogueVersion = () => version;

export const credentialProviders = (): string[] => [...catalogue.keys()];

/** Who a provider's credentials belong to (its label and group). */
export const credentialOwner = (provider: string): CredentialOwner | undefined => owners.get(provider);

/** The fields of a provider (empty for an unknown one). */
export const credentialFields = (provider: string): CredentialFields => catalogue.get(provider) ?? {};

/** One field of a provider, if it has that field. */
export const credentialField = (provider: string, field: string): CredentialField | undefined => {
  const fields = credentialFields(provider);
  return Object.hasOwn(fields, field) ? fields[field] : undefined;
};

/** Additional authenticated data of a credential's ciphertext: binds it to its field. */
export const credentialContext = (provider: string, field: string) => `brand_settings.credentials.${provider}.${field}`;

/** What a registered provider (payment provider, carrier) declares of its configuration. */
export interface ConfiguredProvider {
  name: string;
  label: string;
  credentials: CredentialFields;
  /** Its own environment variables beyond the credentials' (an API base, a timeout). */
  environment?: VariablesClass;
  /** Start-up problems of its configuration, one line each. */
  checkEnvironment?: (config: Record<string, unknown>) => string[];
}

/**
 * Declares a registered provider's configuration: its credential fields (stored in the settings, each falling back to
 * its environment variable) and the environment variables it reads, with their checks.
 */
export function declareProviderConfiguration(group: CredentialGroup, provider: ConfiguredProvider): void {
  if (Object.keys(provider.credentials).length) defineCredentials(provider.name, provider.credentials, { label: provider.label, group });
  const credentialVariables = Object.values(provider.credentials).map((field) => field.env);
  extendEnvironment(`${group}.${provider.name}.credentials`, { variables: optionalStrings(credentialVariables) });
  extendEnvironment(`${group}.${provider.name}`, { variables: provider.environment, check: provider.checkEnvironment });
}
