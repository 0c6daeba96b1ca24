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

const isReady = (message: unknown): message is ReadyMessage => (message as ReadyMessage | undefined)?.type === 'orderline:ready';

/** Whether this process is a worker of a primary (WEB_CONCURRENCY above 1). */
export const isWorker = (): boolean => cluster.isWorker;

/** Whether this process seeds: a single process always; of the workers, the first of the first start only. */
export const seedsHere = (): boolean => !cluster.isWorker || process.env[SEEDING_WORKER] === 'true';

/** A worker: tells the primary it listens (and what its seeding did, for the banner the primary prints once). */
export function reportReady(port: number, firstStart: FirstStart): void {
  const message: ReadyMessage = { type: 'orderline:ready', port, firstStart };
  process.send?.(message);
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
    return cluster.fork({ ...this.env, [SEEDING_WORKER]: String(seeds) });
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
