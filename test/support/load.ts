export { pooled, sleep } from './helpers.js';

/** One answered (or failed) HTTP request of a storm. */
export interface Outcome {
  status: number;
  body: any;
  ms: number;
  /** network error instead of an answer (connection refused or reset, e.g. while the app is being killed) */
  error?: string;
}

/** fetch() that never throws: transport failures become status 0 with the error message. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { ...(options.body !== undefined && { 'Content-Type': 'application/json' }), ...options.headers },
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body, ms: performance.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: 0, body: undefined, ms: performance.now() - started, error: cause?.code ?? (error as Error).message };
  }
}

/** status → count, for assertion messages that show what actually happened. */
export function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.status === 0 ? `error:${o.error}` : String(o.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
