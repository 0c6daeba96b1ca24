import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { prepareDatabase, type Database } from './database/database.js';
import { createApp } from './app.factory.js';
import { seedIfEmpty } from './seed/seed.js';
import { createBootstrapLogger, flushLogs } from './ops/logging.js';
import { shutdownOnSignals } from './ops/graceful-shutdown.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const bootstrap = createBootstrapLogger(process.env.LOG_LEVEL);
  let stopDatabase: Database['stop'] = async () => undefined;
  try {
    const database = await prepareDatabase((m) => bootstrap.info(m));
    stopDatabase = database.stop;
    process.env.DATABASE_URL = database.url;
    const app = await createApp();
    const logger = new Logger('Bootstrap');
    if ((process.env.SEED_DEMO_DATA ?? 'true') !== 'false') await seedIfEmpty(app, (m) => logger.log(m));
    // The embedded database (if this process started it) stops only after requests drained and Prisma closed.
    shutdownOnSignals(app, stopDatabase);
    await app.listen(Number(process.env.PORT ?? 3000));
    const { port } = app.getHttpServer().address() as AddressInfo;
    logger.log(`Orderline listening on http://localhost:${port} (API docs at /docs)`);
  } catch (error) {
    await stopDatabase().catch(() => undefined);
    throw error;
  }
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await flushLogs(1_000);
  process.exit(1);
});
