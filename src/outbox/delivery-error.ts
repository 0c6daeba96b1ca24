/**
 * A failed delivery. `permanent` failures (the receiver rejected the message itself: bad number, unknown template,
 * deleted endpoint) go straight to FAILED; the rest are retried with backoff.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** HTTP statuses worth retrying for a provider API: timeouts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Short, single-line description of an HTTP failure for last_error (the body is cut: it may be a whole HTML page). */
export function describeHttpFailure(target: string, status: number, body: string): string {
  const snippet = body.replace(/\s+/g, ' ').trim().slice(0, 300);
  return `${target} answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
}

/** Turns fetch's network errors and timeouts into retryable DeliveryErrors. */
export function describeNetworkFailure(target: string, error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } } | null | undefined;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return new DeliveryError(`${target} did not answer in time`);
  const detail = e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(error);
  return new DeliveryError(`${target} unreachable: ${detail}`);
}
