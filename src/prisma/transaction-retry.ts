import { errorLike, text } from '../common/errors/error-like.js';

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/**
 * True for errors PostgreSQL raises when a transaction lost a race and may simply be run again.
 * Prisma surfaces them in several shapes (P2034, a driver-adapter error with the SQLSTATE, or a raw-query
 * error whose message carries it), so the whole cause chain is searched.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  for (let e = errorLike(error), depth = 0; e && depth < 6; e = errorLike(e.cause), depth++) {
    if (e.code === 'P2034') return true;
    const candidates = [e.code, e.originalCode, e.meta?.code, e.meta?.driverAdapterError?.cause?.originalCode];
    if (candidates.some((c) => RETRYABLE_SQLSTATES.has(text(c)))) return true;
    if (e.kind === 'TransactionWriteConflict') return true;
    if (/could not serialize access|deadlock detected|40001|40P01/.test(text(e.message))) return true;
  }
  return false;
}

/** Full-jitter exponential backoff: 0..min(200, 4 * 2^attempt) ms. */
export function retryDelayMs(attempt: number): number {
  return Math.random() * Math.min(200, 4 * 2 ** attempt);
}
