import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import './environment.js';
import { ConfigurationError, validateEnvironment } from './config/configuration.js';
import { prepareDatabase, type Database } from './database/database.js';
import { createBootstrapLogger, flushLogs, wantsPrettyLogs } from './ops/logging.js';

const LISTEN_BACKLOG = 4096;

/** A start-up failure that is fully described by its message lines (no stack trace helps the operator). */
class StartupError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = validateEnvironment(process.env);
  const bootstrap = createBootstrapLogger(config);
  let database: Database | undefined;
  try {
    database = await prepareDatabase(config, (m) => bootstrap.info(m));
    // The app's configuration is read from the same environment; the embedded server's URL joins it here.
    process.env.DATABASE_URL = database.url;
    // Loaded only now, so that a configuration or database problem is reported without loading the whole app.
    const [{ createApp }, { seedIfEmpty }, { shutdownOnSignals }, { printStartupBanner }, { StoredSecretsService }] = await Promise.all([
      import('./app.factory.js'),
      import('./seed/seed.js'),
      import('./ops/graceful-shutdown.js'),
      import('./ops/startup-banner.js'),
      import('./secrets/stored-secrets.service.js'),
    ]);
    const app = await createApp();
    const unknownKeys = await app.get(StoredSecretsService).unknownKeyProblems();
    if (unknownKeys.length) throw new StartupError(unknownKeys);
    const firstStart = await seedIfEmpty(app, (m) => new Logger('Bootstrap').log(m));
    // The embedded database (if this process started it) stops only after requests drained and Prisma closed.
    shutdownOnSignals(app, database.stop);
    // A drop's first second opens thousands of connections at once: a deep accept queue (capped by the kernel's
    // somaxconn) keeps them waiting instead of refused.
    await app.init();
    const server = app.getHttpServer() as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: config.PORT, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    printStartupBanner({ port, firstStart, pretty: wantsPrettyLogs(config.LOG_FORMAT) }, (fields) => new Logger('Orderline').log(fields));
  } catch (error) {
    await database?.stop().catch(() => undefined);
    throw error;
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
  await flushLogs(1_000);
  process.exit(1);
});
