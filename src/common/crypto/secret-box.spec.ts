import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { DecryptionError, developmentEncryptionKey, parseEncryptionKey, SecretBox } from './secret-box.js';
import { checkEncryptionKey } from './encryption-key-config.js';

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
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed, 'ctx')).toThrow(/another ENCRYPTION_KEY/);
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
    expect(checkEncryptionKey({ NODE_ENV: 'production', ENCRYPTION_KEY: developmentEncryptionKey().toString('hex') })).toEqual([expect.stringMatching(/development key/)]);
    expect(checkEncryptionKey({ NODE_ENV: 'test', ENCRYPTION_KEY: 'short' })).toEqual([expect.stringMatching(/must be 32 bytes/)]);
    expect(checkEncryptionKey({ NODE_ENV: 'production', ENCRYPTION_KEY: randomBytes(32).toString('base64') })).toEqual([]);
  });
});
