import { execFileSync } from 'node:child_process';
import path from 'node:path';
import baseGlobalSetup from '../setup/global-setup.mjs';

/** The base setup (scratch database, test environment), then a build: crash and outage tests run dist/main.js. */
export default async function globalSetup() {
  await baseGlobalSetup();
  // Request lines would only slow the app. (Rate limiting is already off: the base setup turns it off for every run,
  // and thousands of requests from one address are the point here, not abuse.)
  process.env.LOG_REQUESTS ??= 'false';
  // /metrics is public unless a token is configured; with one, the bad-token checks cover it like every secured route.
  process.env.METRICS_TOKEN ??= 'stress-metrics-token';
  if (process.env.STRESS_SKIP_BUILD === 'true') return;
  const root = path.resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
