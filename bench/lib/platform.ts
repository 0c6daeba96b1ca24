import { randomBytes } from 'node:crypto';
import type { AutocannonRequest } from 'autocannon';
import type pg from 'pg';
import { AppProcess } from '../../test/support/app-process.js';
import type { BenchConfig } from './config.js';
import { checkoutRequests } from './checkout.js';
import { runHttpLoad } from './http-load.js';
import { round, type Measurement } from './measurement.js';
import { benchAdminToken, ensureBenchAdmin } from './orders-list.js';
import type { LoadRow } from './report.js';
import { ServerMonitor } from './server-monitor.js';

/** Brands the platform-mode app serves in the comparison; the single-brand app sells the same catalogue as one brand. */
const BRANDS = 4;
const PRODUCTS_PER_BRAND = 25;
const VARIANTS_PER_PRODUCT = 4;
const STOCK = 10_000_000;
const PLATFORM_DOMAIN = 'shops.bench.test';
/** Each mode's orders carry their own email, so the checks count them exactly. */
const SINGLE_EMAIL = 'bench-platform-single@example.com';
const PLATFORM_EMAIL = 'bench-platform@example.com';
/**
 * Each mode's time at a concurrency is cut into two halves, run A B B A: on a shared machine the background load
 * drifts within seconds, and the mirrored order gives both modes the same share of a steady drift. (Shorter slices
 * would lose too much to the requests in flight at each stop when latencies reach seconds.)
 */
const SLICES = 2;

export const PLATFORM_KEYS = { single: 'platform-single', platform: 'platform' } as const;

/** Where a checkout goes: a variant of a brand, reached by the brand's path prefix or by its host. */
interface Target {
  variantId: string;
  prefix: string;
  host?: string;
}

interface Mode {
  key: string;
  name: string;
  app: AppProcess;
  monitor: ServerMonitor;
  requests: AutocannonRequest[];
  warmUp: AutocannonRequest[];
  email: string;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The same products for every brand, created through the admin API (under the brand's prefix): their variant ids. */
async function createCatalogue(baseUrl: string, token: string, tag: string, products: number): Promise<string[]> {
  const variantIds: string[] = [];
  for (let p = 0; p < products; p++) {
    const created = await post<{ variants: { id: string }[] }>(
      `${baseUrl}/products`,
      {
        name: `Platform Bench ${tag} ${p}`,
        description: 'Seeded for the platform-mode comparison.',
        variants: Array.from({ length: VARIANTS_PER_PRODUCT }, (_, v) => ({
          sku: `PB-${tag}-${p}-${v}`,
          name: `Size ${v}`,
          attributes: { size: String(v) },
          priceMinor: 10_000 + v * 100,
          currency: 'INR',
          initialStock: STOCK,
        })),
      },
      { authorization: `Bearer ${token}` },
    );
    variantIds.push(...created.variants.map((variant) => variant.id));
  }
  return variantIds;
}

/**
 * The checkout of checkout.ts (a guest's cash-on-delivery order of one unit), sent to a random target: under its
 * brand's path prefix or with its brand's host, as a platform's shoppers arrive.
 */
function targetedCheckouts(targets: Target[], email: string): AutocannonRequest[] {
  let next = targets[0];
  const [checkout] = checkoutRequests(() => next.variantId, email);
  return [
    {
      ...checkout,
      setupRequest: (req, context) => {
        next = targets[Math.floor(Math.random() * targets.length)];
        const built = checkout.setupRequest!(req, context);
        return {
          ...built,
          path: `${next.prefix}/orders/checkout`,
          headers: { ...built.headers, ...(next.host && { host: next.host }) },
        };
      },
    },
  ];
}

/**
 * Platform mode against single-brand mode, in one run: two apps on the bench's database, alike but for
 * PLATFORM_MODE, measured in interleaved slices at each concurrency. The single-brand app sells 100 products × 4 variants as its one
 * brand; the platform app the same catalogue split over 4 signed-up brands (25 products each), each checkout going to
 * a random brand, half of them by path prefix (`/b/<slug>/orders/checkout`) and half by host (`<slug>.PLATFORM_DOMAIN`).
 * Both see the same stock contention (400 variants picked uniformly). Returns the rows and what the checks found.
 */
export async function runPlatformComparison(
  db: pg.Pool,
  databaseUrl: string,
  config: BenchConfig,
): Promise<{ rows: LoadRow[]; problems: string[] }> {
  const env = (platform: boolean) => ({
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    ...(config.appPoolSize && { DB_POOL_SIZE: String(config.appPoolSize) }),
    PLATFORM_MODE: String(platform),
    PLATFORM_DOMAIN,
  });
  const apps: AppProcess[] = [];
  const monitors: ServerMonitor[] = [];
  try {
    const single = await AppProcess.start({ databaseUrl, startTimeoutSeconds: 120, env: env(false) });
    apps.push(single);
    const platform = await AppProcess.start({ databaseUrl, startTimeoutSeconds: 120, env: env(true) });
    apps.push(platform);
    log(`platform comparison: single-brand app pid ${single.pid}, platform-mode app pid ${platform.pid}`);

    await ensureBenchAdmin(db);
    const singleTargets = (
      await createCatalogue(single.baseUrl, await benchAdminToken(single.baseUrl), 'single', BRANDS * PRODUCTS_PER_BRAND)
    ).map((variantId): Target => ({ variantId, prefix: '' }));
    const platformTargets: Target[] = [];
    for (let b = 0; b < BRANDS; b++) {
      const slug = `bench-brand-${b + 1}`;
      const { accessToken } = await post<{ accessToken: string }>(`${platform.baseUrl}/auth/register`, {
        email: `owner@${slug}.example`,
        password: 'bench-owner-pass',
        name: 'Bench Owner',
        brandName: `Bench Brand ${b + 1}`,
        brandSlug: slug,
      });
      const variants = await createCatalogue(`${platform.baseUrl}/b/${slug}`, accessToken, slug, PRODUCTS_PER_BRAND);
      variants.forEach((variantId, i) =>
        platformTargets.push(i % 2 ? { variantId, prefix: `/b/${slug}` } : { variantId, prefix: '', host: `${slug}.${PLATFORM_DOMAIN}` }),
      );
    }
    await db.query('ANALYZE');

    const modes: Mode[] = [
      {
        key: PLATFORM_KEYS.single,
        name: `platform off: checkout, 1 brand (${singleTargets.length} SKUs)`,
        app: single,
        targets: singleTargets,
        email: SINGLE_EMAIL,
      },
      {
        key: PLATFORM_KEYS.platform,
        name: `platform on: checkout, ${BRANDS} brands by prefix/host (${platformTargets.length} SKUs)`,
        app: platform,
        targets: platformTargets,
        email: PLATFORM_EMAIL,
      },
    ].map(({ targets, email, ...mode }) => {
      const monitor = new ServerMonitor(mode.app.pid).start();
      monitors.push(monitor);
      return {
        ...mode,
        monitor,
        email,
        requests: targetedCheckouts(targets, email),
        warmUp: targetedCheckouts(targets, `warm-up-${email}`),
      };
    });

    for (const mode of modes) await runHttpLoad({ baseUrl: mode.app.baseUrl, connections: 8, durationSeconds: 2, requests: mode.warmUp });
    const rows: LoadRow[] = [];
    const slice = Math.max(1, Math.round(config.durationSeconds / SLICES));
    for (const connections of config.connections) {
      const slices = new Map<Mode, Measurement[]>(modes.map((mode) => [mode, []]));
      for (let i = 0; i < SLICES; i++) {
        for (const mode of i % 2 ? [...modes].reverse() : modes) {
          slices.get(mode)!.push(
            await runHttpLoad({
              baseUrl: mode.app.baseUrl,
              connections,
              durationSeconds: slice,
              requests: mode.requests,
              monitor: mode.monitor,
            }),
          );
        }
      }
      for (const mode of modes) {
        const app = combine(slices.get(mode)!);
        rows.push({ key: mode.key, scenario: mode.name, connections, app });
        log(`${mode.name} × ${connections}: ${app.perSecond}/s p99 ${app.p99Ms} ms, CPU ${app.serverCpuMsPerRequest ?? '?'} ms/op`);
      }
    }
    return { rows, problems: await checkPlatform(db, rows, modes) };
  } finally {
    monitors.forEach((monitor) => monitor.stop());
    for (const app of apps) await app.stop(30_000);
  }
}

/**
 * One measurement from a mode's slices: counts and time added up, rates over the whole time, p50 and mean weighted by
 * answers, p95 and p99 the worst slice's (an upper bound), CPU per request over all answers.
 */
function combine(slices: Measurement[]): Measurement {
  const sum = (value: (m: Measurement) => number) => slices.reduce((n, m) => n + value(m), 0);
  const answered = (m: Measurement) => Object.values(m.outcomes).reduce((n, count) => n + count, 0);
  const weighted = (value: (m: Measurement) => number, weight: (m: Measurement) => number) =>
    sum(weight) ? sum((m) => value(m) * weight(m)) / sum(weight) : 0;
  const ok = sum((m) => m.ok);
  const durationSeconds = sum((m) => m.durationSeconds);
  const outcomes: Record<string, number> = {};
  for (const m of slices) for (const [status, count] of Object.entries(m.outcomes)) outcomes[status] = (outcomes[status] ?? 0) + count;
  const cpu = slices.every((m) => m.serverCpuMsPerRequest !== undefined);
  return {
    ok,
    perSecond: round(ok / durationSeconds),
    p50Ms: round(
      weighted(
        (m) => m.p50Ms,
        (m) => m.ok,
      ),
    ),
    p95Ms: Math.max(...slices.map((m) => m.p95Ms)),
    p99Ms: Math.max(...slices.map((m) => m.p99Ms)),
    meanMs: round(
      weighted(
        (m) => m.meanMs,
        (m) => m.ok,
      ),
      2,
    ),
    durationSeconds: round(durationSeconds, 2),
    outcomes,
    serverErrors: sum((m) => m.serverErrors),
    transportErrors: sum((m) => m.transportErrors),
    peakRssMb: Math.max(...slices.map((m) => m.peakRssMb ?? 0)),
    ...(cpu && {
      serverCpuMsPerRequest: round(
        weighted((m) => m.serverCpuMsPerRequest!, answered),
        2,
      ),
    }),
  };
}

/**
 * Each mode's orders in the database match its 2xx answers (plus at most the requests in flight when a run stopped),
 * the platform's orders are spread over its brands, and no order holds a variant of another brand.
 */
async function checkPlatform(db: pg.Pool, rows: LoadRow[], modes: Mode[]): Promise<string[]> {
  const problems: string[] = [];
  for (const mode of modes) {
    const of = rows.filter((row) => row.key === mode.key);
    const answered = of.reduce((n, row) => n + row.app.ok, 0);
    const inFlight = of.reduce((n, row) => n + row.connections * SLICES, 0);
    const { rows: counts } = await db.query<{ brands: number; orders: number }>(
      'SELECT count(DISTINCT brand_id)::int AS brands, count(*)::int AS orders FROM orders WHERE email = $1',
      [mode.email],
    );
    const { orders, brands } = counts[0];
    if (orders < answered || orders > answered + inFlight)
      problems.push(`${mode.name}: ${answered} answered 2xx (+ up to ${inFlight} in flight at stops) but the database holds ${orders}`);
    const expectedBrands = mode.key === PLATFORM_KEYS.platform ? BRANDS : 1;
    if (orders && brands !== expectedBrands) problems.push(`${mode.name}: orders in ${brands} brands, expected ${expectedBrands}`);
  }
  const { rows: crossed } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM order_items oi JOIN variants v ON v.id = oi.variant_id WHERE oi.brand_id <> v.brand_id`,
  );
  if (crossed[0].n) problems.push(`${crossed[0].n} order items hold a variant of another brand`);
  return problems;
}
