import { canonicalJson, requestFingerprint } from './request-fingerprint.js';

describe('request fingerprint', () => {
  it('ignores key order at every level but not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(requestFingerprint('POST', '/x', { a: 1, b: { c: 2, d: 3 } })).toBe(
      requestFingerprint('post', '/x', { b: { d: 3, c: 2 }, a: 1 }),
    );
    expect(requestFingerprint('POST', '/x', { a: [1, 2] })).not.toBe(requestFingerprint('POST', '/x', { a: [2, 1] }));
  });

  it('treats undefined like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe(JSON.stringify({ a: undefined, b: [undefined] }));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('distinguishes method, path and body', () => {
    const base = requestFingerprint('POST', '/orders/1/cancel', { reason: 'x' });
    expect(requestFingerprint('PUT', '/orders/1/cancel', { reason: 'x' })).not.toBe(base);
    expect(requestFingerprint('POST', '/orders/2/cancel', { reason: 'x' })).not.toBe(base);
    expect(requestFingerprint('POST', '/orders/1/cancel', { reason: 'y' })).not.toBe(base);
    expect(requestFingerprint('POST', '/orders/1/cancel', {})).not.toBe(requestFingerprint('POST', '/orders/1/cancel', null));
  });
});
