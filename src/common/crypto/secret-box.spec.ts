import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  DecryptionError,
  developmentEncryptionKey,
  keyFingerprint,
  parseEncryptionKey,
  SecretBox,
  type EncryptionKey,
} from './secret-box.js';
import { checkEncryptionKey, readKeyRing } from './encryption-key-config.js';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never repeats a ciphertext for the same plaintext', () => {
    const a = box.encrypt('sk_live_abcdef123456', 'ctx');
    const b = box.encrypt('sk_live_abcdef123456', 'ctx');
    expect(a).not.toBe(b);
    expect(a).not.toContain('abcdef');
    expect(box.decrypt(a, 'ctx')).toBe('sk_live_abcdef123456');
    expect(box.decrypt(box.encrypt('', 'ctx'), 'ctx')).toBe('');
    expect(box.decrypt(box.encrypt('ünïcødé ✓', 'ctx'), 'ctx')).toBe('ünïcødé ✓');
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = box.encrypt('secret-value', 'ctx');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4], 'base64url');
    body[0] ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'ctx')).toThrow(DecryptionError);
  });

  it('binds a ciphertext to its context, so it cannot be moved to another field', () => {
    const sealed = box.encrypt('secret-value', 'brand_settings.credentials.stripe.secretKey');
    expect(() => box.decrypt(sealed, 'brand_settings.credentials.razorpay.keySecret')).toThrow(DecryptionError);
  });

  it('names a wrong key clearly instead of failing generically', () => {
    const sealed = box.encrypt('secret-value', 'ctx');
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed, 'ctx')).toThrow(
      new RegExp(`encrypted under key id ${box.keyId}, which is not in the key ring`),
    );
    expect(() => box.decrypt('not-encrypted', 'ctx')).toThrow(DecryptionError);
  });

  it('parses 32-byte keys given as hex or base64 and rejects anything else', () => {
    const key = randomBytes(32);
    expect(parseEncryptionKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString('base64url'))?.equals(key)).toBe(true);
    expect(parseEncryptionKey(randomBytes(16).toString('hex'))).toBeUndefined();
    expect(parseEncryptionKey(randomBytes(31).toString('base64'))).toBeUndefined();
    expect(parseEncryptionKey('correct horse battery staple')).toBeUndefined();
  });

  it('requires a real key in production and accepts the derived development key elsewhere', () => {
    expect(checkEncryptionKey({ NODE_ENV: 'development' })).toEqual([]);
    expect(checkEncryptionKey({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^ENCRYPTION_KEY: required in production/)]);
    expect(checkEncryptionKey({ NODE_ENV: 'production', ENCRYPTION_KEY: developmentEncryptionKey().toString('hex') })).toEqual([
      expect.stringMatching(/development key/),
    ]);
    expect(checkEncryptionKey({ NODE_ENV: 'test', ENCRYPTION_KEY: 'short' })).toEqual([expect.stringMatching(/must be 32 bytes/)]);
    expect(checkEncryptionKey({ NODE_ENV: 'production', ENCRYPTION_KEY: randomBytes(32).toString('base64') })).toEqual([]);
  });

  describe('key ring', () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const named = (id: string, key: Buffer): EncryptionKey => ({ id, key, named: true });

    it('encrypts with the first key and decrypts with any key of the ring, naming the key in the ciphertext', () => {
      const old = new SecretBox([named('2026-06', k1)]);
      const ring = new SecretBox([named('2026-12', k2), named('2026-06', k1)]);
      const sealedOld = old.encrypt('whsec_old', 'ctx');
      const sealedNew = ring.encrypt('whsec_new', 'ctx');
      expect(sealedOld.split('.').slice(0, 2)).toEqual(['v2', '2026-06']);
      expect(sealedNew.split('.').slice(0, 2)).toEqual(['v2', '2026-12']);
      expect(ring.decrypt(sealedOld, 'ctx')).toBe('whsec_old');
      expect(ring.decrypt(sealedNew, 'ctx')).toBe('whsec_new');
      expect(() => old.decrypt(sealedNew, 'ctx')).toThrow(/key id 2026-12, which is not in the key ring \(2026-06\)/);
      expect(ring.inspect(sealedOld)).toEqual({ keyId: '2026-06', ringId: '2026-06', current: false });
      expect(ring.inspect(sealedNew)).toEqual({ keyId: '2026-12', ringId: '2026-12', current: true });
      expect(ring.inspect('plain text')).toBeUndefined();
    });

    it('keeps values sealed under a single ENCRYPTION_KEY (v1, fingerprint id) readable once that key joins a ring under a name', () => {
      const legacy = new SecretBox(k1).encrypt('sk_live_legacy', 'ctx');
      expect(legacy.split('.').slice(0, 2)).toEqual(['v1', keyFingerprint(k1)]);
      const ring = new SecretBox([named('new', k2), named('old', k1)]);
      expect(ring.decrypt(legacy, 'ctx')).toBe('sk_live_legacy');
      expect(ring.inspect(legacy)).toEqual({ keyId: keyFingerprint(k1), ringId: 'old', current: false });
    });

    it('re-encrypts only what is not under the encrypting key', () => {
      const ring = new SecretBox([named('new', k2), named('old', k1)]);
      const old = new SecretBox([named('old', k1)]).encrypt('secret', 'ctx');
      const rotated = ring.reencrypt(old, 'ctx')!;
      expect(ring.inspect(rotated)?.keyId).toBe('new');
      expect(ring.reencrypt(rotated, 'ctx')).toBeUndefined();
      expect(new SecretBox([named('new', k2)]).decrypt(rotated, 'ctx')).toBe('secret');
      expect(() => ring.reencrypt(old, 'other-field')).toThrow(DecryptionError);
    });

    it('reads ENCRYPTION_KEYS newest first, ENCRYPTION_KEY as a ring of one, and reports each bad entry', () => {
      const keys = `2026-12:${k2.toString('base64')}, 2026-06:${k1.toString('hex')}`;
      expect(readKeyRing({ NODE_ENV: 'production', ENCRYPTION_KEYS: keys })).toEqual({
        keys: [
          { id: '2026-12', key: k2, named: true },
          { id: '2026-06', key: k1, named: true },
        ],
        development: false,
        problems: [],
      });
      expect(readKeyRing({ NODE_ENV: 'production', ENCRYPTION_KEY: k1.toString('base64') }).keys).toEqual([
        { id: keyFingerprint(k1), key: k1, named: false },
      ]);
      expect(readKeyRing({ NODE_ENV: 'test' })).toMatchObject({ development: true, keys: [{ key: developmentEncryptionKey() }] });
      expect(checkEncryptionKey({ NODE_ENV: 'test', ENCRYPTION_KEYS: keys, ENCRYPTION_KEY: k1.toString('base64') })).toEqual([
        expect.stringMatching(/^ENCRYPTION_KEY and ENCRYPTION_KEYS: set one of them/),
      ]);
      const problems = checkEncryptionKey({
        NODE_ENV: 'production',
        ENCRYPTION_KEYS: [
          `a:${k1.toString('base64')}`,
          `a:${k2.toString('base64')}`,
          'b:short',
          k2.toString('base64'),
          `c:${k1.toString('hex')}`,
          `dev:${developmentEncryptionKey().toString('hex')}`,
        ].join(','),
      });
      expect(problems).toEqual([
        'ENCRYPTION_KEYS entry 2: key id a appears twice',
        expect.stringMatching(/^ENCRYPTION_KEYS entry 3 \(b\): the key must be 32 random bytes/),
        'ENCRYPTION_KEYS entry 4: expected <id>:<key> with an id of 1-32 letters, digits, _ or -',
        'ENCRYPTION_KEYS entry 5 (c): the same key is listed twice',
        'ENCRYPTION_KEYS: the development key cannot be used in production',
      ]);
      expect(problems.join('\n')).not.toContain(k1.toString('base64'));
    });
  });
});
