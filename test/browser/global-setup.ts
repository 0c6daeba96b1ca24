import { existsSync } from 'node:fs';
import { createScratchDatabase } from '../setup/test-database.js';
import { AppProcess } from '../support/app-process.js';
import { ProviderSimulator } from '../provider-simulator/provider-simulator.js';
import { ShiprocketSimulator } from '../carrier-simulator/shiprocket-simulator.js';
import { ADMIN } from './support.js';

/**
 * Starts what the browser tests drive: a fresh scratch database (on DATABASE_URL's server, or the embedded one), the
 * provider simulator, and the built app (`node dist/main.js`, exactly what ships; npm run test:browser builds it
 * first) configured with the simulator's Stripe and Razorpay keys and seeded on first start like a new install
 * (admin account, demo catalogue). BROWSER_TEST_PORT picks the app's port (default: a free one).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const chrome = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!existsSync(chrome)) throw new Error(`No Chromium at ${chrome}: apt-get install -y chromium, or set CHROME_PATH`);
  if (!existsSync('dist/public/console.html')) throw new Error('The web UI is not built: run npm run build (npm run test:browser does)');

  const database = await createScratchDatabase('orderline_browser');
  const simulator = await ProviderSimulator.start();
  const carrier = await ShiprocketSimulator.start();
  let app: AppProcess | undefined;
  try {
    app = await AppProcess.start(
      {
        databaseUrl: database.url,
        env: {
          ...simulator.env(),
          ...carrier.env(),
          SEED_DEMO_DATA: 'true',
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
          // The storefront's tracking page links to the carrier; reservations expire within a second of their time.
          TRACKING_URL_TEMPLATE: 'https://track.example/{carrier}/{trackingNumber}',
          SCHEDULER_ENABLED: 'true',
          EXPIRY_INTERVAL_SECONDS: '1',
          // The brand's own SMTP server in the settings test is a local recording server.
          ALLOW_PRIVATE_TARGETS: 'true',
        },
      },
      process.env.BROWSER_TEST_PORT ? Number(process.env.BROWSER_TEST_PORT) : undefined,
    );
  } catch (error) {
    await carrier.stop();
    await simulator.stop();
    await database.drop();
    throw error;
  }
  simulator.targetApp(app.baseUrl);
  // The workers start after this and inherit these.
  process.env.ORDERLINE_BROWSER_URL = app.baseUrl;
  process.env.ORDERLINE_SIMULATOR_URL = simulator.url;
  process.env.ORDERLINE_BROWSER_DATABASE_URL = database.url;

  return async () => {
    const exit = await app.stop();
    await simulator.stop();
    await carrier.stop();
    await database.drop();
    if (exit !== 0) console.error(`The app exited with ${exit}:\n${app.log}`);
  };
}
