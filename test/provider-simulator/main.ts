/**
 * Runs the provider simulator on its own: `npx tsx test/provider-simulator/main.ts [port] [appBaseUrl]`.
 * Prints the environment that points Orderline at it; drive payments and webhook deliveries through /_sim.
 */
import { ProviderSimulator } from './provider-simulator.js';

const simulator = await ProviderSimulator.start({ port: Number(process.argv[2] ?? 12111) });
if (process.argv[3]) simulator.targetApp(process.argv[3]);
console.log(`Provider simulator on ${simulator.url}`);
for (const [name, value] of Object.entries(simulator.env())) console.log(`${name}=${value}`);
console.log('Control API: POST /_sim/webhook-target {appBaseUrl}, POST /_sim/stripe/payment_intents/:id/pay {outcome, amount?},');
console.log(
  '             POST /_sim/razorpay/orders/:id/pay {outcome, amount?}, GET /_sim/events, POST /_sim/events/:id/deliver {times, concurrently, tamper}',
);
process.once('SIGINT', () => void simulator.stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void simulator.stop().then(() => process.exit(0)));
