import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { applyEnv } from './helpers.js';
import type { TestApp } from './test-app.js';
import { OrderTransitionsService } from '../../src/orders/order-transitions.service.js';
import { SYSTEM_ACTOR } from '../../src/common/actor.js';
import { ProviderSimulator } from '../provider-simulator/provider-simulator.js';

type Support = typeof import('./test-app.js');

export interface PaymentsHarness {
  t: TestApp;
  sim: ProviderSimulator;
  support: Support;
  admin: { token: string; id: string };
  close(): Promise<void>;
}

/**
 * The real app wired to a fresh provider simulator: the simulator's address and credentials are in the environment
 * while the app module loads (configuration is read once, at import), then the environment is restored so other test
 * files in this worker are unaffected. The app listens on a real port so the simulator can deliver webhooks to it.
 */
export async function startPaymentsHarness(): Promise<PaymentsHarness> {
  const sim = await ProviderSimulator.start();
  const restoreEnv = applyEnv(sim.env());
  let support: Support;
  let t: TestApp;
  try {
    support = await import('./test-app.js');
    t = await support.startTestApp();
  } finally {
    restoreEnv();
  }
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  sim.targetApp(`http://127.0.0.1:${port}`);
  const admin = await support.createAdmin(t);
  return {
    t,
    sim,
    support,
    admin,
    close: async () => {
      await t.close();
      await sim.stop();
    },
  };
}

export interface CheckoutResult {
  orderId: string;
  orderNumber: string;
  status: string;
  payment: Record<string, any> | null;
  token: string;
}

/** A signed-in customer checks out `quantity` of a variant through POST /orders/checkout. */
export async function checkout(h: PaymentsHarness, variantId: string, method: string, quantity = 1): Promise<CheckoutResult> {
  const customer = await h.support.registerCustomer(h.t);
  const res = await h.t.http
    .post('/orders/checkout')
    .set(h.support.bearer(customer.token))
    .send({
      items: [{ variantId, quantity }],
      contact: { name: 'Asha Rao', email: customer.email, phone: '+919812345678' },
      shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      paymentMethod: method,
    });
  if (res.status !== 201) throw new Error(`checkout failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    orderId: res.body.order.id,
    orderNumber: res.body.order.number,
    status: res.body.order.status,
    payment: res.body.payment,
    token: customer.token,
  };
}

/** The stock level of a variant. */
export async function stockOf(h: PaymentsHarness, variantId: string): Promise<{ onHand: number; reserved: number }> {
  const level = await h.t.prisma.inventoryLevel.findUniqueOrThrow({ where: { variantId } });
  return { onHand: level.onHand, reserved: level.reserved };
}

export async function orderStatus(h: PaymentsHarness, orderId: string): Promise<string> {
  return (await h.t.prisma.order.findUniqueOrThrow({ where: { id: orderId }, select: { status: true } })).status;
}

/** SALE movements of an order (stock sold exactly once means exactly one per line). */
export async function salesOf(h: PaymentsHarness, orderId: string): Promise<number> {
  return h.t.prisma.stockMovement.count({ where: { orderId, kind: 'SALE' } });
}

/**
 * Expires one order exactly as the expiry job does (the EXPIRE transition), without running the job over the shared
 * database, where it would also expire other test files' orders.
 */
export async function expireOrder(h: PaymentsHarness, orderId: string): Promise<void> {
  const transitions = h.t.app.get(OrderTransitionsService);
  await h.t.prisma.serializable((tx) => transitions.apply(tx, orderId, 'EXPIRE', { actor: SYSTEM_ACTOR, reason: 'reservation expired' }));
}

/** Admin refund through the API with a fresh Idempotency-Key (or the given one). */
export function adminRefund(h: PaymentsHarness, orderId: string, body: Record<string, unknown>, key: string = randomUUID()) {
  return h.t.http.post(`/orders/${orderId}/refunds`).set(h.support.bearer(h.admin.token)).set('Idempotency-Key', key).send(body);
}

export function paymentSummary(h: PaymentsHarness, orderId: string) {
  return h.t.http.get(`/orders/${orderId}/payment`).set(h.support.bearer(h.admin.token));
}
