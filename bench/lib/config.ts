/** Benchmark settings, from the environment (all optional). */
export interface BenchConfig {
  /** seconds per load run (BENCH_DURATION, default 8) */
  durationSeconds: number;
  /** concurrency levels (BENCH_CONNECTIONS, default 1,8,32,64) */
  connections: number[];
  /** which scenarios run (BENCH_SCENARIOS, comma list, default all) */
  scenarios: Set<ScenarioName>;
  /** reservations the expiry scenario expires (BENCH_EXPIRY_ORDERS, default 50000) */
  expiryOrders: number;
  /** orders the staff order-list scenario lists (BENCH_ORDERS, default 100000) */
  listOrders: number;
  /** app connection pool (DB_POOL_SIZE passed to the app, default the app's own default) */
  appPoolSize?: number;
  /** drop checkouts at once per app process (DROP_ADMISSION_CONCURRENCY passed to the app, default the app's own) */
  dropAdmissionConcurrency?: number;
  /** where the JSON goes (BENCH_RESULTS_DIR, default bench/results) */
  resultsDir: string;
  /** buyers of the drop storm (BENCH_STORM_BUYERS, default 5000) */
  stormBuyers: number;
  /** run the server with --cpu-prof and report where its CPU time went (BENCH_CPU_PROFILE=true) */
  cpuProfile: boolean;
  /** WEB_CONCURRENCY of the app under test (BENCH_WORKERS, default 1: one process) */
  workers: number;
}

export const SCENARIOS = ['drop', 'hot', 'spread', 'catalogue', 'storefront', 'webhooks', 'orders', 'expiry', 'platform'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const connections = (list(env.BENCH_CONNECTIONS) ?? ['1', '8', '32', '64']).map(Number);
  if (connections.some((c) => !Number.isInteger(c) || c < 1 || c > 256))
    throw new Error('BENCH_CONNECTIONS: comma-separated integers 1..256');
  const scenarios = list(env.BENCH_SCENARIOS) ?? [...SCENARIOS];
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})`);
  const durationSeconds = Number(env.BENCH_DURATION ?? 8);
  if (!(durationSeconds >= 1 && durationSeconds <= 600)) throw new Error('BENCH_DURATION: seconds, 1..600');
  const expiryOrders = Number(env.BENCH_EXPIRY_ORDERS ?? 50_000);
  if (!(Number.isInteger(expiryOrders) && expiryOrders >= 1)) throw new Error('BENCH_EXPIRY_ORDERS: a positive integer');
  const workers = Number(env.BENCH_WORKERS ?? 1);
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 99)) throw new Error('BENCH_WORKERS: worker processes, 1..99');
  const listOrders = Number(env.BENCH_ORDERS ?? 100_000);
  if (!(Number.isInteger(listOrders) && listOrders >= 1)) throw new Error('BENCH_ORDERS: a positive integer');
  return {
    durationSeconds,
    listOrders,
    connections,
    scenarios: new Set(scenarios as ScenarioName[]),
    expiryOrders,
    appPoolSize: env.DB_POOL_SIZE ? Number(env.DB_POOL_SIZE) : undefined,
    dropAdmissionConcurrency: env.DROP_ADMISSION_CONCURRENCY ? Number(env.DROP_ADMISSION_CONCURRENCY) : undefined,
    resultsDir: env.BENCH_RESULTS_DIR ?? 'bench/results',
    stormBuyers: Number(env.BENCH_STORM_BUYERS ?? 5000),
    cpuProfile: ['1', 'true', 'yes'].includes((env.BENCH_CPU_PROFILE ?? '').toLowerCase()),
    workers,
  };
}
