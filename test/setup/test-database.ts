import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { applyMigrations } from '../../src/database/migrator.js';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database on the server of DATABASE_URL (or the embedded server when it is unset), so test runs
 * never see each other's data or a developer's. Dropped afterwards.
 */
export async function createScratchDatabase(prefix = 'orderline_test'): Promise<ScratchDatabase> {
  let serverUrl = process.env.DATABASE_URL;
  let stopEmbedded = (): Promise<void> => Promise.resolve();
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres(
      path.resolve(process.env.EMBEDDED_PG_DIR ?? '.data'),
      Number(process.env.EMBEDDED_PG_PORT ?? 54329),
      () => undefined,
    );
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
      await stopEmbedded();
    },
  };
}
