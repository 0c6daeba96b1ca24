/**
 * Delay before the next delivery attempt after `attempts` failed ones: exponential (base, 2×base, 4×base, ...) up to
 * `maxMs`, with "equal jitter" — a random point in the upper half — so retries after an outage spread out instead of
 * arriving together, while the delay still grows with every attempt.
 */
export function backoffDelayMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
