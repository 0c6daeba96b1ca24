/**
 * `npm run bench`: builds the app, starts it (`node dist/main.js`) on a fresh scratch database, seeds it with SQL,
 * drives it over HTTP with autocannon at several connection counts, runs the same checkout transaction straight
 * against PostgreSQL with `pg` for the baseline, checks that nothing was oversold and nothing answered 5xx, then
 * prints a markdown table and writes JSON to bench/results/. Settings: see bench/lib/config.ts (BENCH_* variables).
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase } from '../test/setup/test-database.js';
import { AppProcess } from '../test/support/app-process.js';
import { stockAndOrderProblems } from '../test/support/invariants.js';
import { readBenchConfig, type BenchConfig } from './lib/config.js';
import { ServerMonitor } from './lib/server-monitor.js';
import { seedCatalogue } from './lib/seed.js';
import { runHttpLoad } from './lib/http-load.js';
import { runRawLoad, type RawOutcome } from './lib/raw-load.js';
import { checkoutRequests, rawCheckout, HTTP_CHECKOUT_EMAIL, RAW_CHECKOUT_EMAIL, WARM_UP_EMAIL } from './lib/checkout.js';
import { detailRequests, listRequests, rawDetail, rawList, shopPageRequests } from './lib/catalogue.js';
import { prepareWebhookOrders, webhookRequests, WEBHOOK_ORDER_EMAIL, WEBHOOK_SECRETS } from './lib/webhooks.js';
import { runExpiry } from './lib/expiry.js';
import { benchAdminToken, collectCursors, ensureBenchAdmin, orderListRequests, seedOrders } from './lib/orders-list.js';
import { newestProfile, summariseCpuProfile } from './lib/profile.js';
import { judgeTargets } from './lib/targets.js';
import { runPlatformComparison } from './lib/platform.js';
import { runDropStorm, type DropStormResult } from '../test/support/drop-storm.js';
import { machineInfo, markdown, writeReport, type BenchReport, type ExpiryResult, type LoadRow } from './lib/report.js';
import type { AutocannonRequest } from 'autocannon';

/** Quiet time before the idle RSS is read: in-flight work finishes and the GC's idle-time collections run. */
const IDLE_PAUSE_MS = 10_000;

/** Same attempt budget as the app's default TX_MAX_ATTEMPTS. */
const MAX_ATTEMPTS = 12;

const round2 = (n: number) => Math.round(n * 100) / 100;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

interface Scenario {
  /** the name the targets use */
  key: string;
  name: string;
  http: AutocannonRequest[];
  /** what warms the app up before measuring (checkouts under another email, so the counts stay exact) */
  warmUp?: AutocannonRequest[];
  raw?: (client: pg.Client) => Promise<RawOutcome>;
}

async function main(): Promise<void> {
  const config = readBenchConfig();
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = os.loadavg()[0];
  log(`scratch database on ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'the embedded PostgreSQL'}`);
  const scratch = await createScratchDatabase('orderline_bench');
  const db = new pg.Pool({ connectionString: scratch.url, max: 4 });
  // An idle connection the server ends (the scratch database dropped under it, a restart) emits 'error' on the pool;
  // unheard, Node would end the run on it. The query that needs the connection reports the failure itself.
  db.on('error', (error) => log(`database connection closed: ${error.message}`));
  let app: AppProcess | undefined;
  let monitor: ServerMonitor | undefined;
  try {
    const postgres = (await db.query<{ v: string }>(`SELECT 'PostgreSQL ' || current_setting('server_version') AS v`)).rows[0].v;
    log('seeding 10,000 variants and a hot SKU');
    const catalogue = await seedCatalogue(db);
    const webhookOrders = config.scenarios.has('webhooks') ? await prepareWebhookOrders(db, catalogue, config) : undefined;
    if (config.scenarios.has('orders')) {
      log(`seeding ${config.listOrders.toLocaleString('en')} orders for the staff order list`);
      await seedOrders(db, config.listOrders);
    }

    const profileDir = path.join(config.resultsDir, 'profiles');
    app = await AppProcess.start({
      databaseUrl: scratch.url,
      startTimeoutSeconds: 120,
      workers: config.workers,
      nodeArgs: config.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [],
      env: {
        NODE_ENV: 'production',
        JWT_SECRET: randomBytes(32).toString('hex'),
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'warn',
        ...(config.appPoolSize && { DB_POOL_SIZE: String(config.appPoolSize) }),
        ...(config.dropAdmissionConcurrency && { DROP_ADMISSION_CONCURRENCY: String(config.dropAdmissionConcurrency) }),
        ...(process.env.PAYMENT_TX_CONCURRENCY && { PAYMENT_TX_CONCURRENCY: process.env.PAYMENT_TX_CONCURRENCY }),
        ...WEBHOOK_SECRETS.env,
        // Every storm buyer comes from this machine's one address: the per-IP drop limit would refuse them all.
        DROP_RATE_LIMIT_PER_IP: '1000000',
        // How the workers share the port (Node's cluster: `rr`, the primary hands out connections; `none`, the kernel does).
        ...(process.env.NODE_CLUSTER_SCHED_POLICY && { NODE_CLUSTER_SCHED_POLICY: process.env.NODE_CLUSTER_SCHED_POLICY }),
      },
    });
    monitor = new ServerMonitor(app.pid).start();
    log(`app pid ${app.pid}${config.workers > 1 ? ` (workers ${app.workerPids().join(', ')})` : ''} on ${app.baseUrl}`);

    // The drop storm runs first, on a server that has served nothing but a small storm of its own (the way a brand's
    // server has served checkouts before its drop): the first measured second is the drop's, not the JIT's.
    let dropStorm: DropStormResult | undefined;
    let dropStormServer: BenchReport['dropStormServer'];
    if (config.scenarios.has('drop')) {
      await ensureBenchAdmin(db);
      log('drop storm warm-up: 300 buyers for 30 units');
      await runDropStorm(
        {
          baseUrl: app.baseUrl,
          adminToken: await benchAdminToken(app.baseUrl),
          buyers: 300,
          variants: 3,
          unitsPerVariant: 10,
          releaseMs: 300,
          perCustomerLimit: 2,
          phoneBase: 50_000_000,
        },
        db,
      );
      const loadAverageBefore = round2(os.loadavg()[0]);
      monitor.reset();
      const cpuBefore = monitor.processesCpuMs();
      log(`drop storm: ${config.stormBuyers} buyers within 1 s for 300 units across 3 variants`);
      dropStorm = await runDropStorm(
        {
          baseUrl: app.baseUrl,
          adminToken: await benchAdminToken(app.baseUrl),
          buyers: config.stormBuyers,
          variants: 3,
          unitsPerVariant: 100,
          releaseMs: 1000,
          perCustomerLimit: 2,
        },
        db,
      );
      dropStormServer = {
        cpuMs: Math.round(monitor.phaseCpuMs()),
        cpuMsByProcess: [...monitor.processesCpuMs()].map(([pid, ms]) => Math.round(ms - (cpuBefore.get(pid) ?? 0))),
        loadAverageBefore,
        loadAverageAfter: round2(os.loadavg()[0]),
      };
      log(`  sold ${dropStorm.sold}, p99 ${dropStorm.p99Ms} ms, sold out after ${dropStorm.soldOutAfterMs} ms`);
    }

    const scenarios: Scenario[] = [];
    if (config.scenarios.has('hot')) {
      const hot = () => catalogue.hotVariantId;
      scenarios.push({
        key: 'hot',
        name: 'checkout hot SKU',
        http: checkoutRequests(hot, HTTP_CHECKOUT_EMAIL),
        warmUp: checkoutRequests(hot, WARM_UP_EMAIL),
        raw: rawCheckout(hot),
      });
    }
    if (config.scenarios.has('spread')) {
      const pick = () => catalogue.spreadVariantIds[Math.floor(Math.random() * catalogue.spreadVariantIds.length)];
      scenarios.push({
        key: 'spread',
        name: 'checkout spread (10k SKUs)',
        http: checkoutRequests(pick, HTTP_CHECKOUT_EMAIL),
        warmUp: checkoutRequests(pick, WARM_UP_EMAIL),
        raw: rawCheckout(pick),
      });
    }
    if (config.scenarios.has('catalogue')) {
      const detail = detailRequests(catalogue.productSlugs);
      scenarios.push({ key: 'list', name: 'GET /products', http: listRequests(), warmUp: listRequests(), raw: rawList });
      scenarios.push({ key: 'detail', name: 'GET /products/:slug', http: detail, warmUp: detail, raw: rawDetail(catalogue.productSlugs) });
    }
    if (config.scenarios.has('storefront')) {
      const page = shopPageRequests(catalogue.productSlugs);
      scenarios.push({
        key: 'shop',
        name: 'GET /shop/:slug (server-rendered page)',
        http: page,
        warmUp: page,
        raw: rawDetail(catalogue.productSlugs),
      });
    }
    if (config.scenarios.has('orders')) {
      const token = await benchAdminToken(app.baseUrl);
      // Cursors 20 to 200 pages (1,000 to 10,000 orders) deep: keyset paging costs the same there as on page 1.
      const deep = (await collectCursors(app.baseUrl, token, '', 200)).slice(20);
      const requests = orderListRequests(token, deep);
      scenarios.push({
        key: 'orders',
        name: `GET /orders (staff list, ${config.listOrders.toLocaleString('en')} orders)`,
        http: requests,
        warmUp: requests,
      });
    }
    if (webhookOrders)
      scenarios.push({
        key: 'webhooks',
        name: 'webhook payment succeeded',
        http: webhookRequests(webhookOrders.measured),
        warmUp: webhookRequests(webhookOrders.warmUp),
      });

    const rows: LoadRow[] = [];
    for (const scenario of scenarios) {
      await warmUp(app, scenario);
      for (const connections of config.connections) {
        log(`${scenario.name} × ${connections} connections`);
        const appRun = await runHttpLoad({
          baseUrl: app.baseUrl,
          connections,
          durationSeconds: config.durationSeconds,
          requests: scenario.http,
          monitor,
        });
        const raw = scenario.raw
          ? await runRawLoad({
              connectionString: scratch.url,
              connections,
              durationSeconds: config.durationSeconds,
              maxAttempts: MAX_ATTEMPTS,
              transaction: scenario.raw,
            })
          : undefined;
        rows.push({ key: scenario.key, scenario: scenario.name, connections, app: appRun, raw });
        log(`  app ${appRun.perSecond}/s p99 ${appRun.p99Ms} ms${raw ? `; raw ${raw.perSecond}/s p99 ${raw.p99Ms} ms` : ''}`);
      }
    }

    // Warm and quiet: what one instance holds between bursts (the RSS target).
    await new Promise((resolve) => setTimeout(resolve, IDLE_PAUSE_MS));
    // The target is per instance: with workers, the largest of them (and the total beside it).
    const idleRssMb = monitor.largestInstanceMb();
    const idleRssTotalMb = config.workers > 1 ? monitor.currentMb() : undefined;
    log(
      `idle RSS after the runs: ${monitor
        .processesMb()
        .map((p) => `${p.pid} ${p.mb} MB`)
        .join(', ')}`,
    );
    // Two apps of its own (platform mode on and off) on this database, measured in turn.
    const platform = config.scenarios.has('platform') ? await runPlatformComparison(db, scratch.url, config) : undefined;
    if (platform) rows.push(...platform.rows);
    const expiry = config.scenarios.has('expiry') ? await runExpiry(db, scratch.url, catalogue, config.expiryOrders, log) : undefined;
    const serverPeakRssMb = monitor.lifetimePeakMb();
    const workerPids = app.workerPids();
    await app.stop(30_000);
    app = undefined;
    const profileFile = config.cpuProfile ? newestProfile(profileDir, workerPids) : undefined;

    log('checking stock, ledger and orders');
    const report: BenchReport = {
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: machineInfo(postgres, loadAverageAtStart),
      settings: settingsOf(config),
      rows,
      expiry,
      serverPeakRssMb,
      idleRssMb,
      ...(idleRssTotalMb !== undefined && { idleRssTotalMb }),
      ...(dropStormServer && { dropStormServer }),
      targets: judgeTargets({ rows, expiry, idleRssMb }),
      ...(dropStorm && { dropStorm }),
      ...(profileFile && { serverProfile: { file: profileFile, top: summariseCpuProfile(profileFile) } }),
      checks: await check(db, rows, expiry, config.expiryOrders, dropStorm, platform?.problems),
    };
    const file = writeReport(report, config.resultsDir);
    process.stdout.write(`${markdown(report)}\n\nJSON: ${file}\n`);
    if (!report.checks.passed) {
      process.stderr.write(`${report.checks.problems.slice(0, 20).join('\n')}\n`);
      process.exitCode = 1;
    }
  } catch (error) {
    if (app) process.stderr.write(`app output (tail):\n${app.log.slice(-4000)}\n`);
    throw error;
  } finally {
    // Everything connected to the scratch database closes before it is dropped (the drop ends what is left).
    monitor?.stop();
    await app?.kill();
    await db.end().catch((error: unknown) => log(`closing the pool: ${(error as Error).message}`));
    await scratch.drop();
  }
}

function settingsOf(config: BenchConfig): Record<string, unknown> {
  return {
    durationSeconds: config.durationSeconds,
    connections: config.connections,
    scenarios: [...config.scenarios],
    expiryOrders: config.expiryOrders,
    listOrders: config.listOrders,
    cpuProfile: config.cpuProfile,
    workers: config.workers,
    appPoolSize: config.appPoolSize ?? 10,
    dropAdmissionConcurrency: config.dropAdmissionConcurrency ?? 8,
    rawConnections: 'one per load connection',
    database: process.env.DATABASE_URL ? 'DATABASE_URL server' : 'embedded PostgreSQL',
  };
}

/**
 * JIT, connection pools and caches warm before anything is measured: each scenario right before its runs (the product
 * read cache keeps an entry CATALOGUE_CACHE_SECONDS, and the checkout runs before it take minutes).
 */
async function warmUp(app: AppProcess, scenario: Scenario): Promise<void> {
  if (!scenario.warmUp) return;
  log(`warming up: ${scenario.name}`);
  await runHttpLoad({ baseUrl: app.baseUrl, connections: 8, durationSeconds: 2, requests: scenario.warmUp });
}

/**
 * Zero oversell, zero 5xx, money counted once. Orders the database holds are compared with the 2xx answers the load
 * generator counted: a run stops with up to `connections` requests in flight, which the app still completes, so the
 * database may hold up to that many more — never fewer. The raw baseline's commits are counted exactly.
 */
async function check(
  db: pg.Pool,
  rows: LoadRow[],
  expiry: ExpiryResult | undefined,
  expiryOrders: number,
  storm?: DropStormResult,
  platformProblems: string[] = [],
): Promise<BenchReport['checks']> {
  const serverErrors = rows.reduce((n, r) => n + r.app.serverErrors + (r.raw?.serverErrors ?? 0), 0);
  const transportErrors = rows.reduce((n, r) => n + r.app.transportErrors, 0);
  const problems = [...(await stockAndOrderProblems(db)), ...platformProblems];
  if (storm) {
    if (storm.sold !== storm.units) problems.push(`drop storm: sold ${storm.sold} of ${storm.units} units`);
    if (storm.oversold || storm.serverErrors || storm.connectionFailures || storm.unexplainedRefusals || storm.overLimitPhones)
      problems.push(`drop storm: ${JSON.stringify(storm)}`);
  }
  const within = (what: string, counted: number, inFlight: number, held: number) => {
    if (held < counted || held > counted + inFlight)
      problems.push(`${what}: ${counted} answered 2xx (+ up to ${inFlight} in flight at stops) but the database holds ${held}`);
  };
  const checkoutRows = rows.filter((r) => r.scenario.startsWith('checkout'));
  const checkoutsAnswered2xx = checkoutRows.reduce((n, r) => n + r.app.ok, 0);
  const rawCommitted = checkoutRows.reduce((n, r) => n + (r.raw?.ok ?? 0), 0);
  const { rows: counts } = await db.query<{ email: string; orders: number; paid: number; paid_once: number }>(
    `SELECT o.email, count(*)::int AS orders, count(*) FILTER (WHERE o.status = 'PAID')::int AS paid,
            count(*) FILTER (WHERE o.status = 'PAID'
              AND (SELECT count(*) FROM payment_attempts a WHERE a.order_id = o.id AND a.status = 'CAPTURED') = 1)::int AS paid_once
     FROM orders o WHERE o.email = ANY($1) GROUP BY o.email`,
    [[HTTP_CHECKOUT_EMAIL, RAW_CHECKOUT_EMAIL, WEBHOOK_ORDER_EMAIL]],
  );
  const of = (email: string) => counts.find((r) => r.email === email) ?? { orders: 0, paid: 0, paid_once: 0 };
  const ordersCreated = of(HTTP_CHECKOUT_EMAIL).orders;
  within(
    'checkouts',
    checkoutsAnswered2xx,
    checkoutRows.reduce((n, r) => n + r.connections, 0),
    ordersCreated,
  );
  if (of(RAW_CHECKOUT_EMAIL).orders !== rawCommitted)
    problems.push(`raw baseline committed ${rawCommitted} orders but the database holds ${of(RAW_CHECKOUT_EMAIL).orders}`);
  const webhookRows = rows.filter((r) => r.scenario.startsWith('webhook'));
  if (webhookRows.length) {
    const paid = of(WEBHOOK_ORDER_EMAIL);
    within(
      'payment webhooks',
      webhookRows.reduce((n, r) => n + r.app.ok, 0),
      webhookRows.reduce((n, r) => n + r.connections, 0),
      paid.paid,
    );
    if (paid.paid_once !== paid.paid) problems.push(`${paid.paid - paid.paid_once} paid orders do not have exactly one captured payment`);
  }
  if (expiry && (expiry.reservations !== expiryOrders || expiry.leftOver !== 0)) {
    problems.push(`expiry: ${expiry.reservations} of ${expiryOrders} reservations expired, ${expiry.leftOver} left over`);
  }
  return {
    serverErrors,
    transportErrors,
    problems,
    ordersCreated,
    checkoutsAnswered2xx,
    passed: serverErrors === 0 && transportErrors === 0 && problems.length === 0,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
