import { randomBytes } from 'node:crypto';
import type { AutocannonRequest } from 'autocannon';
import type pg from 'pg';
import { stripeSignature } from '../../test/provider-simulator/stripe-simulator.js';
import type { BenchConfig } from './config.js';
import { seedPendingOrders, type BenchCatalogue, type PendingOrder } from './seed.js';

/** The pending orders webhooks pay carry this email, so the final check can count them. */
export const WEBHOOK_ORDER_EMAIL = 'bench-webhook@example.com';

const STRIPE_WEBHOOK_SECRET = `whsec_bench_${randomBytes(12).toString('hex')}`;

/** Stripe configured with keys that never leave the machine: the benchmark only sends webhooks, no API calls. */
export const WEBHOOK_SECRETS = {
  env: {
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_PUBLISHABLE_KEY: 'pk_test_bench',
    STRIPE_WEBHOOK_SECRET,
  },
};

/**
 * One pending order per webhook a run can deliver: 1,000/s is above what 2 cores manage for this transaction; should a
 * faster machine run out, the requests wrap around and become redeliveries (acknowledged, counted, not applied).
 */
const ordersNeeded = (config: BenchConfig) => Math.min(100_000, Math.ceil(1_000 * config.durationSeconds * config.connections.length));

/** The pending orders the warm-up pays carry this email instead, so the final check counts only measured webhooks. */
const WEBHOOK_WARM_UP_EMAIL = 'bench-webhook-warm-up@example.com';

/** Warm-up orders: the warm-up runs 2 s (run.ts), at most 1,000/s as above. */
const WARM_UP_ORDERS = 2_000;

/**
 * PAYMENT_PENDING Stripe orders with their PaymentIntents, written with SQL: one per webhook to come, `measured` ones and
 * `warmUp` ones (the warm-up pays other orders than the runs, so every measured webhook pays an order).
 */
export async function prepareWebhookOrders(
  db: pg.Pool,
  catalogue: BenchCatalogue,
  config: BenchConfig,
): Promise<{ measured: PendingOrder[]; warmUp: PendingOrder[] }> {
  const seed = (count: number, email: string) =>
    seedPendingOrders(db, { count, variantIds: catalogue.spreadVariantIds, expiresAt: new Date(Date.now() + 24 * 3600 * 1000), email });
  return { measured: await seed(ordersNeeded(config), WEBHOOK_ORDER_EMAIL), warmUp: await seed(WARM_UP_ORDERS, WEBHOOK_WARM_UP_EMAIL) };
}

/** A Stripe `payment_intent.succeeded` event for the order, signed as Stripe signs (t=…,v1=HMAC-SHA256 of "t.body"). */
function signedSucceededEvent(order: PendingOrder): { body: string; signature: string } {
  const body = JSON.stringify({
    id: `evt_${order.providerRef}`,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: Math.floor(Date.now() / 1000),
    type: 'payment_intent.succeeded',
    livemode: false,
    data: {
      object: {
        id: order.providerRef,
        object: 'payment_intent',
        amount: order.totalMinor,
        amount_received: order.totalMinor,
        currency: order.currency.toLowerCase(),
        status: 'succeeded',
        latest_charge: `ch_${order.providerRef.slice(3)}`,
        metadata: { orderId: order.id, orderNumber: order.number },
      },
    },
  });
  return { body, signature: stripeSignature(STRIPE_WEBHOOK_SECRET, body) };
}

/** Each request pays the next pending order; past the end it wraps around (a redelivery, acknowledged and ignored). */
export function webhookRequests(orders: PendingOrder[]): AutocannonRequest[] {
  let next = 0;
  return [
    {
      method: 'POST',
      path: '/webhooks/stripe',
      setupRequest: (req) => {
        const { body, signature } = signedSucceededEvent(orders[next++ % orders.length]);
        return { ...req, body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
      },
    },
  ];
}
