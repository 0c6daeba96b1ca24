/** One load run: what got done, how fast, and what went wrong. Latencies in milliseconds. */
export interface Measurement {
  /** successful operations (2xx responses, committed transactions) */
  ok: number;
  /** successful operations per second over the run */
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  durationSeconds: number;
  /** HTTP status → count (app runs); outcome → count (raw runs) */
  outcomes: Record<string, number>;
  /** 5xx responses (must stay 0) */
  serverErrors: number;
  /** connection errors and timeouts (must stay 0) */
  transportErrors: number;
  /** serialization failures and deadlocks retried (raw runs) */
  retries?: number;
  /** the server's largest resident set size while this ran (app runs) */
  peakRssMb?: number;
  /** server CPU time (user + system) per answered request (app runs): near 1000 ÷ ops/s means the server is the bottleneck */
  serverCpuMsPerRequest?: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
