import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { prepareDatabase } from './database/database.js';
import { createApp } from './app.factory.js';
import { seedIfEmpty } from './seed/seed.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const logger = new Logger('Bootstrap');
  const database = await prepareDatabase((m) => logger.log(m));
  process.env.DATABASE_URL = database.url;
  const app = await createApp();
  if ((process.env.SEED_DEMO_DATA ?? 'true') !== 'false') await seedIfEmpty(app, (m) => logger.log(m));
  // Stop the embedded database only after Nest has drained requests and closed its pool.
  process.once('beforeExit', () => void database.stop());
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  logger.log(`Orderline listening on http://localhost:${port} (API docs at /docs)`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
