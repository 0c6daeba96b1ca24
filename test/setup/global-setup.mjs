// Jest loads global setup outside its module system; tsx lets it import the TypeScript database helpers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { createScratchDatabase } = await tsImport('./test-database.ts', import.meta.url);
  const db = await createScratchDatabase();
  globalThis.__SCRATCH_DB__ = db;
  // Workers inherit this environment: every test file talks to the scratch database.
  process.env.DATABASE_URL = db.url;
  process.env.NODE_ENV = 'test';
  process.env.SCHEDULER_ENABLED ??= 'false';
  process.env.BCRYPT_ROUNDS ??= '4';
  process.env.LOG_LEVEL ??= 'silent';
  // Uploads (product images) go to a folder of this run, not the working tree.
  process.env.MEDIA_DIR ??= mkdtempSync(path.join(tmpdir(), 'orderline-media-'));
  // Tests register and check out far faster than any client; test/ops.e2e-spec.ts turns the limits back on.
  process.env.RATE_LIMIT_ENABLED ??= 'false';
  // One signing secret for the run, shared by the in-process apps, the app processes tests start and the tests that
  // sign tokens themselves (without it each app would generate its own).
  process.env.JWT_SECRET ??= randomBytes(32).toString('base64url');
  // Checkout refuses a payment method whose provider is not configured, so the run's apps pay through a provider
  // simulator (files that need their own, or none, override these variables).
  const { ProviderSimulator } = await tsImport('../provider-simulator/provider-simulator.ts', import.meta.url);
  const simulator = await ProviderSimulator.start();
  globalThis.__PROVIDER_SIMULATOR__ = simulator;
  Object.assign(process.env, simulator.env());
}
