import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import type { ExpiryResult } from './report.js';
import { seedPendingOrders, type BenchCatalogue } from './seed.js';

interface ExpiryJob {
  expireDue(asOf?: Date): Promise<number>;
}

const fromDist = (file: string) => import(pathToFileURL(path.resolve('dist', file)).href);

/**
 * Writes `count` PAYMENT_PENDING orders whose reservations ran out a minute ago, then runs the built app's
 * ReservationExpiryJob (the class the scheduler calls) in a Nest application context against the same database and
 * times `expireDue()` until nothing is left.
 */
export async function runExpiry(
  db: pg.Pool,
  databaseUrl: string,
  catalogue: BenchCatalogue,
  count: number,
  log: (m: string) => void,
): Promise<ExpiryResult> {
  log(`expiry: writing ${count.toLocaleString('en-US')} expired reservations`);
  await seedPendingOrders(db, {
    count,
    variantIds: catalogue.spreadVariantIds,
    expiresAt: new Date(Date.now() - 60_000),
    email: 'bench-expiry@example.com',
  });
  // Statistics of every table, as autovacuum would have them by now: the claim's anti-join with payment_attempts
  // (written by the webhook runs) is planned from them.
  await db.query('ANALYZE');

  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    SCHEDULER_ENABLED: 'false',
    SEED_DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    LOG_REQUESTS: 'false',
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'), // no tokens here; nor a generated secret in .data/
  });
  await import('reflect-metadata');
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await fromDist('app.module.js');
  const { ReservationExpiryJob } = await fromDist('orders/reservation-expiry.job.js');
  const context = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  try {
    const job = context.get<unknown, ExpiryJob>(ReservationExpiryJob);
    const batchSize = Number(process.env.EXPIRY_BATCH_SIZE ?? 500);
    log('expiry: running the job');
    const started = performance.now();
    const expired = await job.expireDue();
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE status = 'PAYMENT_PENDING' AND reservation_expires_at <= now()`,
    );
    return { reservations: expired, seconds, perSecond: expired / seconds, batches: Math.ceil(expired / batchSize), leftOver: rows[0].n };
  } finally {
    await context.close();
  }
}
