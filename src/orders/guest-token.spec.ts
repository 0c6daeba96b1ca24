import { guestTokenMatches, hashGuestToken, newGuestToken } from './guest-token.js';

describe('guest order tokens', () => {
  it('issues 32 random bytes as base64url and stores only the SHA-256', () => {
    const { token, hash } = newGuestToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(hashGuestToken(token));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token);
    expect(newGuestToken().token).not.toBe(token);
  });

  it('accepts only the token that was issued', () => {
    const { token, hash } = newGuestToken();
    expect(guestTokenMatches(hash, token)).toBe(true);
    expect(guestTokenMatches(hash, newGuestToken().token)).toBe(false);
    expect(guestTokenMatches(hash, token.slice(1))).toBe(false);
    expect(guestTokenMatches(hash, undefined)).toBe(false);
    expect(guestTokenMatches(null, token)).toBe(false);
    expect(guestTokenMatches(hash, 'x'.repeat(1000))).toBe(false);
  });
});
