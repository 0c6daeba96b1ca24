import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The ENCRYPTION_KEY of development and test runs when none is set. Never accepted in production. */
export const DEV_ENCRYPTION_KEY_SEED = 'orderline-development-encryption-key-not-for-production';

/** Decodes ENCRYPTION_KEY: 64 hex characters or base64 of exactly 32 bytes. Returns undefined when malformed. */
export function parseEncryptionKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : undefined;
}

export function developmentEncryptionKey(): Buffer {
  return createHash('sha256').update(DEV_ENCRYPTION_KEY_SEED).digest();
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/**
 * AES-256-GCM with a random 96-bit nonce per value. Output: `v1.<key id>.<nonce>.<tag>.<ciphertext>` (base64url parts).
 * The key id (first bytes of SHA-256 of the key) makes "encrypted under another key" a clear error instead of a
 * generic authentication failure. `context` is bound as additional authenticated data, so a ciphertext copied into
 * another field (another endpoint's secret, another credential) fails to decrypt.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  decrypt(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptionError('Not an Orderline encrypted value');
    const [, keyId, iv, tag, ciphertext] = parts;
    if (keyId !== this.keyId) throw new DecryptionError(`Value was encrypted under another ENCRYPTION_KEY (key id ${keyId}, current ${this.keyId})`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError('Encrypted value failed authentication (tampered, or sealed for another field)');
    }
  }
}
