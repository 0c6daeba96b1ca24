import pg from 'pg';
import { ConfigService } from '@nestjs/config';
import { PrismaService } from '../../src/prisma/prisma.service.js';

/**
 * Direct access to the scratch database for tests whose app runs in a child process: a pg pool for the invariant
 * checks (tagged so outage tests can spare it when they terminate the app's connections) and a PrismaService for the
 * shared fixtures.
 */
export const CHECKER_APPLICATION_NAME = 'orderline-stress-checker';

export function checkerPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4, application_name: CHECKER_APPLICATION_NAME });
  pool.on('error', () => undefined);
  return pool;
}

export function fixturePrisma(): PrismaService {
  return new PrismaService(new ConfigService({ DATABASE_URL: process.env.DATABASE_URL, DB_POOL_SIZE: 2, TX_MAX_ATTEMPTS: 12 }) as never);
}

/** Host and port of the database server of DATABASE_URL. */
export function databaseServer(): { host: string; port: number; name: string } {
  const url = new URL(process.env.DATABASE_URL!);
  return { host: url.hostname, port: Number(url.port || 5432), name: decodeURIComponent(url.pathname.slice(1)) };
}
