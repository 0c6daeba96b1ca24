import pg from 'pg';
import { retryDelayMs } from '../../src/prisma/transaction-retry.js';
import { percentile, round, type Measurement } from './measurement.js';

const RETRYABLE = new Set(['40001', '40P01']);

/** What one transaction attempt reports; anything thrown that is not a serialization failure counts as an error. */
export type RawOutcome = 'ok' | 'insufficient';

export interface RawLoad {
  connectionString: string;
  connections: number;
  durationSeconds: number;
  /** Same budget as the app's TX_MAX_ATTEMPTS. */
  maxAttempts: number;
  /** One whole transaction (BEGIN … COMMIT) on a dedicated client. */
  transaction: (client: pg.Client) => Promise<RawOutcome>;
}

/**
 * The physical baseline: `connections` clients, each with its own PostgreSQL connection, running the transaction
 * back to back for the duration, retrying serialization failures and deadlocks exactly as the app does (same
 * backoff, same attempt budget). Latency is per business operation, retries included.
 */
export async function runRawLoad(load: RawLoad): Promise<Measurement> {
  const clients = await Promise.all(
    Array.from({ length: load.connections }, async () => {
      const client = new pg.Client({ connectionString: load.connectionString });
      client.on('error', () => undefined); // a connection the server ends fails its query; the event alone must not end the run
      await client.connect();
      return client;
    }),
  );
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let retries = 0;
  let errors = 0;
  const count = (outcome: string) => (outcomes[outcome] = (outcomes[outcome] ?? 0) + 1);
  const started = performance.now();
  const deadline = started + load.durationSeconds * 1000;

  const worker = async (client: pg.Client) => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      for (let attempt = 1; ; attempt++) {
        try {
          count(await load.transaction(client));
          break;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          const code = (error as { code?: string }).code ?? '';
          if (!RETRYABLE.has(code)) {
            errors++;
            count(`error ${code || (error as Error).message}`);
            break;
          }
          if (attempt >= load.maxAttempts) {
            count('gave up (conflict)');
            break;
          }
          retries++;
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
        }
      }
      latencies.push(performance.now() - begin);
    }
  };
  try {
    await Promise.all(clients.map(worker));
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
  const durationSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ok = outcomes.ok ?? 0;
  return {
    ok,
    perSecond: round(ok / durationSeconds),
    p50Ms: round(percentile(latencies, 50), 2),
    p95Ms: round(percentile(latencies, 95), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    meanMs: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length), 2),
    durationSeconds: round(durationSeconds, 2),
    outcomes,
    serverErrors: errors,
    transportErrors: 0,
    retries,
  };
}
