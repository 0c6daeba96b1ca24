import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** `v1.<fingerprint>…`: written under a single ENCRYPTION_KEY (and by every version before key rings). */
const FINGERPRINTED = 'v1';
/** `v2.<key id>…`: written under a named key of ENCRYPTION_KEYS. */
const NAMED = 'v2';

/** The ENCRYPTION_KEY of development and test runs when none is set. Never accepted in production. */
export const DEV_ENCRYPTION_KEY_SEED = 'orderline-development-encryption-key-not-for-production';

/** Key ids in ENCRYPTION_KEYS: what operators name their keys (a date, a version). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Decodes a key: 64 hex characters or base64 of exactly 32 bytes. Returns undefined when malformed. */
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

/** The first bytes of SHA-256 of a key: names a key without revealing it (the id of v1 ciphertexts). */
export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** One key of the ring. `named` keys come from ENCRYPTION_KEYS; the single ENCRYPTION_KEY is known by its fingerprint. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
  named: boolean;
}

/** The key a ciphertext names, and whether this ring holds it. */
export interface SealedKeyInfo {
  /** The key id written in the ciphertext (a name, or a fingerprint for v1 values). */
  keyId: string;
  /** The ring's id for that key, when the ring has it. */
  ringId?: string;
  /** Encrypted under the key that encrypts now. */
  current: boolean;
}

/**
 * AES-256-GCM with a random 96-bit nonce per value, under a key ring: the first key encrypts, every key decrypts.
 * Output: `<version>.<key id>.<nonce>.<tag>.<ciphertext>` (base64url parts), where the key id is the key's name from
 * ENCRYPTION_KEYS (v2) or, for a single ENCRYPTION_KEY, its fingerprint (v1, the format of every earlier version, so
 * existing values keep decrypting and are found again by fingerprint once that key joins a ring under a name).
 * `context` is bound as additional authenticated data, so a ciphertext copied into another field (another endpoint's
 * secret, another credential) fails to decrypt.
 */
export class SecretBox {
  /** The id written into new ciphertexts. */
  readonly keyId: string;
  private readonly current: EncryptionKey;
  private readonly byId = new Map<string, EncryptionKey>();
  private readonly byFingerprint = new Map<string, EncryptionKey>();

  /** A single key (known by its fingerprint), or a ring whose first key encrypts. */
  constructor(keys: Buffer | EncryptionKey[]) {
    const ring = Buffer.isBuffer(keys) ? [{ id: keyFingerprint(keys), key: keys, named: false }] : keys;
    if (!ring.length) throw new Error('The key ring is empty');
    for (const entry of ring) {
      if (entry.key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
      this.byId.set(entry.id, entry);
      this.byFingerprint.set(keyFingerprint(entry.key), entry);
    }
    this.current = ring[0];
    this.keyId = ring[0].id;
  }

  /** Ids of every key in the ring, the encrypting one first. */
  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  encrypt(plaintext: string, context: string): string {
    const { id, key, named } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const keyId = named ? id : keyFingerprint(key);
    return [
      named ? NAMED : FINGERPRINTED,
      keyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join('.');
  }

  decrypt(sealed: string, context: string): string {
    const parts = sealed.split('.');
    const entry = this.keyFor(sealed);
    if (!entry) {
      const info = this.inspect(sealed);
      if (!info) throw new DecryptionError('Not an Orderline encrypted value');
      throw new DecryptionError(
        `Value was encrypted under key id ${info.keyId}, which is not in the key ring (${this.keyIds.join(', ')}); add that key to ENCRYPTION_KEYS`,
      );
    }
    const [, , iv, tag, ciphertext] = parts;
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError('Encrypted value failed authentication (tampered, or sealed for another field)');
    }
  }

  /** Which key a ciphertext names; undefined when it is not one of ours. Decrypts nothing. */
  inspect(sealed: string): SealedKeyInfo | undefined {
    const parts = sealed.split('.');
    if (parts.length !== 5 || (parts[0] !== FINGERPRINTED && parts[0] !== NAMED) || !parts[1]) return undefined;
    const entry = this.keyFor(sealed);
    return { keyId: parts[1], ringId: entry?.id, current: entry === this.current };
  }

  /** The value sealed under the encrypting key (decrypting it first), or undefined when it already is. */
  reencrypt(sealed: string, context: string): string | undefined {
    if (this.inspect(sealed)?.current) return undefined;
    return this.encrypt(this.decrypt(sealed, context), context);
  }

  private keyFor(sealed: string): EncryptionKey | undefined {
    const [version, keyId] = sealed.split('.', 2);
    if (version === NAMED) return this.byId.get(keyId);
    if (version === FINGERPRINTED) return this.byFingerprint.get(keyId);
    return undefined;
  }
}
