import path from 'node:path';
import type { EnvironmentVariables } from '../config/configuration.js';
import type { EmbeddedDatabase } from './embedded-postgres.js';
import { applyMigrations } from './migrator.js';

export interface Database {
  url: string;
  /** Whether this is the embedded PostgreSQL (started here or found running from an earlier start). */
  embedded: boolean;
  stop: () => Promise<void>;
}

type DatabaseConfig = Pick<EnvironmentVariables, 'DATABASE_URL' | 'EMBEDDED_PG_PORT' | 'EMBEDDED_PG_DIR'>;

/** DATABASE_URL when set; otherwise the embedded PostgreSQL kept under EMBEDDED_PG_DIR. Migrated either way. */
export async function prepareDatabase(config: DatabaseConfig, log: (message: string) => void = console.log): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    // Loaded only when needed: production images leave out its PostgreSQL binaries (an optional dependency).
    const { startEmbeddedPostgres } = await import('./embedded-postgres.js');
    embedded = await startEmbeddedPostgres(path.resolve(config.EMBEDDED_PG_DIR), config.EMBEDDED_PG_PORT, log);
    url = embedded.url;
  }
  try {
    const applied = await applyMigrations(
      url,
      undefined,
      embedded ? `embedded PostgreSQL (EMBEDDED_PG_PORT ${config.EMBEDDED_PG_PORT})` : 'DATABASE_URL',
    );
    if (applied.length) log(`Applied migrations: ${applied.join(', ')}`);
  } catch (error) {
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
  return { url, embedded: !!embedded, stop: async () => embedded?.stop() };
}
