import { RateLimitCounters } from './rate-limit.js';

describe('RateLimitCounters', () => {
  const rule = { name: 'strict' as const, limit: 3, windowMs: 60_000 };

  it('allows `limit` hits per window, refuses the rest without extending the window, then resets', () => {
    const counters = new RateLimitCounters();
    const t0 = 1_000_000;
    expect([1, 2, 3].map((i) => counters.hit('k', rule, t0 + i).remaining)).toEqual([2, 1, 0]);
    const refused = counters.hit('k', rule, t0 + 10_000);
    expect(refused).toEqual({ allowed: false, remaining: 0, resetAt: t0 + 1 + 60_000 });
    expect(counters.hit('k', rule, t0 + 59_000).allowed).toBe(false);
    expect(counters.hit('other', rule, t0 + 59_000).allowed).toBe(true);
    expect(counters.hit('k', rule, t0 + 60_001)).toEqual({ allowed: true, remaining: 2, resetAt: t0 + 60_001 + 60_000 });
  });

  it('stays bounded when very many clients appear at once', () => {
    const counters = new RateLimitCounters();
    for (let i = 0; i < 50_100; i++) counters.hit(`client-${i}`, rule, 5_000);
    expect(counters.size).toBeLessThanOrEqual(50_000);
    // The newest clients are still counted.
    expect(counters.hit('client-50099', rule, 5_001).remaining).toBe(1);
  });
});
