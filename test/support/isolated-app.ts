import { createScratchDatabase, type ScratchDatabase } from '../setup/test-database.js';
import { applyEnv } from './helpers.js';
import type { TestApp } from './test-app.js';

export interface IsolatedTestApp {
  t: TestApp;
  close(): Promise<void>;
}

/**
 * The real app with its own environment on its own scratch database, for test files that change app-wide state
 * (brand settings, webhook endpoints every order is announced to, the outbox dispatcher) and so must not share the
 * run's database with files running in parallel. The environment is read when the app module is first imported,
 * which is why test-app is imported here, after the variables are set; they are restored on close.
 */
export async function startIsolatedTestApp(env: Record<string, string>): Promise<IsolatedTestApp> {
  const database: ScratchDatabase = await createScratchDatabase('orderline_iso');
  const restore = applyEnv({ ...env, DATABASE_URL: database.url });
  let t: TestApp;
  try {
    const { startTestApp } = await import('./test-app.js');
    t = await startTestApp();
  } catch (error) {
    restore();
    await database.drop();
    throw error;
  }
  return {
    t,
    async close() {
      await t.close();
      restore();
      await database.drop();
    },
  };
}
