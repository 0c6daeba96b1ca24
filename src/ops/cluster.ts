import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { StartupBanner } from './startup-banner.js';

/** The environment variable that tells the one worker of the first start to seed (the first admin, demo data). */
const SEEDING_WORKER = 'ORDERLINE_SEEDING_WORKER';

/** A worker that ends this soon after the previous one ended counts as a crash in a row (the backoff grows). */
const CRASH_STREAK_WINDOW_MS = 30_000;
const RESTART_FIRST_DELAY_MS = 100;
const RESTART_MAX_DELAY_MS = 30_000;
/** On top of SHUTDOWN_TIMEOUT_MS, what a worker gets to close its pool and flush its logs before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** Processes that serve HTTP for WEB_CONCURRENCY (`auto`: one per core the process may use). */
export function workerCount(setting: string): number {
  return setting === 'auto' ? availableParallelism() : Number(setting);
}

type FirstStart = StartupBanner['firstStart'];

/** What a worker tells its primary once it listens. */
interface ReadyMessage {
  type: 'orderline:ready';
  port: number;
  firstStart: FirstStart;
}

const isMessage = <T extends { type: string }>(message: unknown, type: T['type']): message is T =>
  (message as T | undefined)?.type === type;
const isReady = (message: unknown) => isMessage<ReadyMessage>(message, 'orderline:ready');

/** Whether this process is a worker of a primary (WEB_CONCURRENCY above 1). */
export const isWorker = (): boolean => cluster.isWorker;

/** Whether this process seeds: a single process always; of the workers, the first of the first start only. */
export const seedsHere = (): boolean => !cluster.isWorker || process.env[SEEDING_WORKER] === 'true';

/** A worker: tells the primary it listens (and what its seeding did, for the banner the primary prints once). */
export function reportReady(port: number, firstStart: FirstStart): void {
  const message: ReadyMessage = { type: 'orderline:ready', port, firstStart };
  process.send?.(message);
}

/** How long the primary waits for the workers' metrics before it answers with those it has. */
const METRICS_WAIT_MS = 2_000;

interface MetricsRequest {
  type: 'orderline:metrics-request';
  id: number;
}
interface MetricsCollect {
  type: 'orderline:metrics-collect';
  id: number;
}
interface MetricsPart {
  type: 'orderline:metrics-part';
  id: number;
  metrics: unknown;
}
interface MetricsAnswer {
  type: 'orderline:metrics';
  id: number;
  /** Each listening worker's metrics (the requester's among them). */
  parts: unknown[];
}

/**
 * A worker: answers the primary's calls for its metrics with what `collect` gives (its registry as JSON). Returns the
 * function that stops answering.
 */
export function answerMetricsCalls(collect: () => Promise<unknown>): () => void {
  const listener = (message: unknown) => {
    if (!isMessage<MetricsCollect>(message, 'orderline:metrics-collect')) return;
    void collect().then(
      (metrics) => process.send?.({ type: 'orderline:metrics-part', id: message.id, metrics } satisfies MetricsPart),
      () => process.send?.({ type: 'orderline:metrics-part', id: message.id, metrics: [] } satisfies MetricsPart),
    );
  };
  process.on('message', listener);
  return () => void process.off('message', listener);
}

let metricsRequests = 0;

/**
 * A worker: the metrics of every listening worker, gathered by the primary, so a scrape of the shared port counts the
 * whole machine whichever worker takes it.
 */
export function metricsOfAllWorkers(): Promise<unknown[]> {
  const id = ++metricsRequests;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', listener);
      reject(new Error('The primary did not answer with the workers’ metrics'));
    }, METRICS_WAIT_MS * 2);
    const listener = (message: unknown) => {
      if (!isMessage<MetricsAnswer>(message, 'orderline:metrics') || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', listener);
      resolve(message.parts);
    };
    process.on('message', listener);
    process.send?.({ type: 'orderline:metrics-request', id } satisfies MetricsRequest);
  });
}

/** A worker ended before every worker of the first start listened: the install cannot start. */
export class WorkerStartError extends Error {}

const describeExit = (code: number | null, signal: string | null) => (signal ? `signal ${signal}` : `code ${code}`);

/**
 * The primary of WEB_CONCURRENCY > 1: forks the workers (each builds the app and listens on the shared port, so each
 * is an instance exactly as separate machines would be), replaces one that ends (after a backoff that grows while
 * they keep ending), and stops them on shutdown. It never serves a request and never connects to the database.
 */
export class WorkerPool {
  private stopping = false;
  private crashStreak = 0;
  private lastCrashAt = 0;
  private readonly restarts = new Set<NodeJS.Timeout>();
  /** Workers that listen (the ones asked for metrics: one still starting has none to give). */
  private readonly listening = new Set<Worker>();
  private collections = 0;

  constructor(
    private readonly size: number,
    private readonly log: Logger,
    /** What each worker gets on top of this process's environment (the database URL the primary prepared...). */
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /**
   * Forks the workers and resolves once every one listens, with the port and what the seeding worker did; rejects
   * with WorkerStartError if one ends before that (it has written why on stderr).
   */
  start(): Promise<ReadyMessage> {
    return new Promise((resolve, reject) => {
      const starting = new Set<Worker>();
      let seeded: ReadyMessage | undefined;
      let started = false;
      for (let i = 0; i < this.size; i++) {
        const worker = this.fork(i === 0);
        starting.add(worker);
        worker.on('message', (message: unknown) => {
          if (!isReady(message) || !starting.delete(worker)) return;
          if (i === 0) seeded = message;
          if (starting.size) return;
          started = true;
          resolve(seeded ?? message);
        });
      }
      cluster.on('exit', (worker, code, signal) => {
        if (this.stopping) return;
        if (!started) {
          this.stopping = true;
          reject(new WorkerStartError(`worker ${worker.process.pid} ended while starting (${describeExit(code, signal)})`));
          return;
        }
        this.replace(worker, code, signal);
      });
    });
  }

  /**
   * SIGTERM to every worker (each drains its requests, as a single process does) and resolves once all have ended;
   * a worker still running SHUTDOWN_TIMEOUT_MS plus a grace later is killed.
   */
  async stop(shutdownTimeoutMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.restarts) clearTimeout(timer);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), shutdownTimeoutMs + STOP_GRACE_MS);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  }

  /** The second signal: end every worker now. */
  kill(): void {
    this.stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
  }

  private fork(seeds: boolean): Worker {
    const worker = cluster.fork({ ...this.env, [SEEDING_WORKER]: String(seeds) });
    worker.on('message', (message: unknown) => {
      if (isReady(message)) this.listening.add(worker);
      if (isMessage<MetricsRequest>(message, 'orderline:metrics-request')) this.gatherMetrics(worker, message.id);
    });
    worker.once('exit', () => this.listening.delete(worker));
    return worker;
  }

  /** Asks every listening worker for its metrics and gives them all to `requester` (those in within the wait). */
  private gatherMetrics(requester: Worker, requestId: number): void {
    const id = ++this.collections;
    const asked = [...this.listening].filter((w) => w.isConnected());
    const parts: unknown[] = [];
    let pending = asked.length;
    const answer = () => {
      clearTimeout(timer);
      for (const w of asked) w.off('message', collect);
      if (requester.isConnected()) requester.send({ type: 'orderline:metrics', id: requestId, parts } satisfies MetricsAnswer);
    };
    const timer = setTimeout(answer, METRICS_WAIT_MS);
    function collect(message: unknown) {
      if (!isMessage<MetricsPart>(message, 'orderline:metrics-part') || message.id !== id) return;
      parts.push(message.metrics);
      if (--pending === 0) answer();
    }
    for (const w of asked) {
      w.on('message', collect);
      w.send({ type: 'orderline:metrics-collect', id } satisfies MetricsCollect);
    }
    if (!asked.length) answer();
  }

  /** A worker ended while the install runs: another takes its place, sooner the rarer this is. */
  private replace(worker: Worker, code: number | null, signal: string | null): void {
    const now = Date.now();
    this.crashStreak = now - this.lastCrashAt < CRASH_STREAK_WINDOW_MS ? this.crashStreak + 1 : 0;
    this.lastCrashAt = now;
    const delayMs = Math.min(RESTART_MAX_DELAY_MS, RESTART_FIRST_DELAY_MS * 2 ** this.crashStreak);
    this.log.warn(
      { workerPid: worker.process.pid, code, signal, restartInMs: delayMs },
      `Worker ${worker.process.pid} ended (${describeExit(code, signal)}); starting another in ${delayMs} ms`,
    );
    const timer = setTimeout(() => {
      this.restarts.delete(timer);
      if (!this.stopping) this.fork(false);
    }, delayMs);
    this.restarts.add(timer);
  }
}
