/** Payment provider credentials that admins may set at runtime, and the environment variable each one overrides. */
export const CREDENTIAL_FIELDS = {
  stripe: { secretKey: 'STRIPE_SECRET_KEY', publishableKey: 'STRIPE_PUBLISHABLE_KEY', webhookSecret: 'STRIPE_WEBHOOK_SECRET' },
  razorpay: { keyId: 'RAZORPAY_KEY_ID', keySecret: 'RAZORPAY_KEY_SECRET', webhookSecret: 'RAZORPAY_WEBHOOK_SECRET' },
} as const;

export type CredentialProvider = keyof typeof CREDENTIAL_FIELDS;
export type CredentialField<P extends CredentialProvider> = keyof (typeof CREDENTIAL_FIELDS)[P] & string;

/** Stored shape of brand_settings.credentials: provider → field → SecretBox ciphertext. */
export type StoredCredentials = Partial<Record<CredentialProvider, Record<string, string>>>;

export const credentialProviders = () => Object.keys(CREDENTIAL_FIELDS) as CredentialProvider[];
export const credentialFields = <P extends CredentialProvider>(provider: P) => Object.keys(CREDENTIAL_FIELDS[provider]) as CredentialField<P>[];

/** Additional authenticated data of a credential's ciphertext: binds it to its field. */
export const credentialContext = (provider: CredentialProvider, field: string) => `brand_settings.credentials.${provider}.${field}`;
