import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A guest's order access token: 32 random bytes, base64url. The database keeps only its SHA-256. */
export function newGuestToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashGuestToken(token) };
}

export function hashGuestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison of a presented token with the stored hash. */
export function guestTokenMatches(storedHash: string | null, presented: string | undefined): boolean {
  if (!storedHash || !presented || presented.length > 128) return false;
  const expected = Buffer.from(storedHash, 'hex');
  const actual = Buffer.from(hashGuestToken(presented), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
