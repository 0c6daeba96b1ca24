/**
 * The credentials admins may set in /admin/settings, per payment provider: the port through which payments/ tells
 * settings what to store, validate and show. Each registered provider defines its fields here (see
 * payments/provider-registry.ts); settings knows no provider by name.
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

const catalogue = new Map<string, CredentialFields>();
let version = 0;

/** Defines (or redefines) the credential fields of a provider. */
export function defineCredentials(provider: string, fields: CredentialFields): void {
  catalogue.set(provider, fields);
  version++;
}

/** Bumped by every definition: what is built from the catalogue is rebuilt when it changes. */
export const catalogueVersion = () => version;

export const credentialProviders = (): string[] => [...catalogue.keys()];

/** The fields of a provider (empty for an unknown one). */
export const credentialFields = (provider: string): CredentialFields => catalogue.get(provider) ?? {};

/** One field of a provider, if it has that field. */
export const credentialField = (provider: string, field: string): CredentialField | undefined => {
  const fields = credentialFields(provider);
  return Object.hasOwn(fields, field) ? fields[field] : undefined;
};

/** Additional authenticated data of a credential's ciphertext: binds it to its field. */
export const credentialContext = (provider: string, field: string) => `brand_settings.credentials.${provider}.${field}`;
