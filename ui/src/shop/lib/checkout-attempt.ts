import { newIdempotencyKey } from '../../lib/ids.js';

/**
 * The Idempotency-Key of one checkout attempt. A second click, a retry after a network error, or a reload that
 * submits the same order again sends the same key, so the API replays the first answer instead of placing a second
 * order. Changing the cart or the form is a new attempt with a new key (the API refuses a key reused for a different
 * body). Kept in sessionStorage, so it survives a reload of this tab and nothing else.
 */
const KEY = 'orderline:checkout-attempt';

export function attemptKeyFor(body: unknown): string {
  const text = JSON.stringify(body);
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as { key: string; body: string } | null;
    if (stored?.body === text) return stored.key;
    const key = newIdempotencyKey();
    sessionStorage.setItem(KEY, JSON.stringify({ key, body: text }));
    return key;
  } catch {
    return newIdempotencyKey();
  }
}

/** The attempt succeeded: the next order is a new one. */
export function finishAttempt(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}
