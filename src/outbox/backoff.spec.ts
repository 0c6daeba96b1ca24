import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  it('doubles the window per attempt and keeps the delay in its upper half', () => {
    expect(backoffDelayMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelayMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelayMs(2, 1000, 60_000, () => 0)).toBe(1000);
    expect(backoffDelayMs(4, 1000, 60_000, () => 1)).toBe(8000);
  });

  it('never exceeds the cap and never goes below half of it once reached', () => {
    expect(backoffDelayMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelayMs(30, 1000, 60_000, () => 0)).toBe(30_000);
  });

  it('stays within [window/2, window] for any attempt and random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempts, base, r) => {
          const window = Math.min(3_600_000, base * 2 ** (attempts - 1));
          const delay = backoffDelayMs(attempts, base, 3_600_000, () => r);
          return delay >= Math.floor(window / 2) && delay <= Math.ceil(window);
        },
      ),
    );
  });
});
