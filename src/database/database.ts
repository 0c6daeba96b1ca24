import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
import { applyMigrations } from './migrator.js';

export interface Database {
  url: string;
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL kept under .data/ in the project. Migrated either way. */
export async function prepareDatabase(log: (message: string) => void = console.log): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
    embedded = await startEmbeddedPostgres(path.resolve(process.env.EMBEDDED_PG_DIR ?? '.data'), port, log);
    url = embedded.url;
  }
  const applied = await applyMigrations(url);
  if (applied.length) log(`Applied migrations: ${applied.join(', ')}`);
  return { url, stop: async () => embedded?.stop() };
}
