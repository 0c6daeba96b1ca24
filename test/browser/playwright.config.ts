import { defineConfig } from '@playwright/test';

/**
 * Browser tests (npm run test:browser): Debian's Chromium (CHROME_PATH, default /usr/bin/chromium; Playwright's own
 * browser download is not reachable from the build machines) drives the built app (node dist/main.js, started by
 * global-setup.ts on a fresh scratch PostgreSQL database, with the provider simulator). One worker: the tests share
 * that one app, as staff share one brand.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  outputDir: '../../test-results/browser',
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    // Set by global-setup.ts before the workers start.
    baseURL: process.env.ORDERLINE_BROWSER_URL,
    viewport: { width: 1280, height: 800 },
    locale: 'en-IN',
    timezoneId: 'Asia/Kolkata',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
