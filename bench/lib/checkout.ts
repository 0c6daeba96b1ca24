import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AutocannonRequest } from 'autocannon';
import type pg from 'pg';
import type { RawOutcome } from './raw-load.js';

/** Orders from each source carry their own email, so the final check can count them exactly. */
export const HTTP_CHECKOUT_EMAIL = 'bench-http@example.com';
export const WARM_UP_EMAIL = 'bench-warm-up@example.com';
export const RAW_CHECKOUT_EMAIL = 'bench-raw@example.com';

const SHIPPING = { line1: '1 Bench Road', city: 'Pune', postalCode: '411001', country: 'IN' };

export function checkoutBody(variantId: string, email: string) {
  return {
    items: [{ variantId, quantity: 1 }],
    contact: { name: 'Bench Shopper', email, phone: '+919800000000' },
    shippingAddress: SHIPPING,
    paymentMethod: 'cod',
  };
}

/** A guest's cash-on-delivery checkout of 1 unit of `pickVariant()` (called per request). */
export function checkoutRequests(pickVariant: () => string, email: string): AutocannonRequest[] {
  return [
    {
      method: 'POST',
      path: '/orders/checkout',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify(checkoutBody(pickVariant(), email)) }),
    },
  ];
}

const GUEST_TOKEN_HASH_BYTES = 32;

/**
 * The raw baseline: the statements CheckoutService runs for a guest's cash-on-delivery order, sent by hand with `pg`
 * (named prepared statements, no HTTP, no ORM). Pricing is read before the transaction, as the app does; inside:
 * lock the inventory rows in id order, check availability, insert the order (number from the sequence) and its item
 * snapshot, one UPDATE of the levels by the net of the RESERVATION and SALE movements, the two movement rows, two
 * history rows (created, confirmed) and two audit rows. Serializable; runRawLoad retries 40001/40P01.
 */
export function rawCheckout(pickVariant: () => string) {
  return async (client: pg.Client): Promise<RawOutcome> => {
    const variantId = pickVariant();
    const ids = [variantId];
    const priced = await client.query<{ id: string; sku: string; name: string; price_minor: number; currency: string; active: boolean; product_name: string; product_status: string; available_from: Date | null }>({
      name: 'bench-price',
      text: `SELECT v.id::text, v.sku, v.name, v.price_minor, v.currency, v.active, p.name AS product_name, p.status::text AS product_status, p.available_from
             FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = ANY($1::uuid[])`,
      values: [ids],
    });
    const line = priced.rows[0];
    if (!line?.active || line.product_status !== 'ACTIVE') throw new Error(`variant ${variantId} is not for sale`);
    const orderId = randomUUID();
    const itemId = randomUUID();
    const quantity = 1;
    const total = line.price_minor * quantity;
    const tokenHash = createHash('sha256').update(randomBytes(GUEST_TOKEN_HASH_BYTES)).digest('hex');

    await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    const locked = await client.query<{ variant_id: string; on_hand: number; reserved: number }>({
      name: 'bench-lock',
      text: `SELECT variant_id::text, on_hand, reserved FROM inventory_levels WHERE variant_id = ANY($1::uuid[]) ORDER BY variant_id FOR UPDATE`,
      values: [ids],
    });
    const level = locked.rows[0];
    if (!level || level.on_hand - level.reserved < quantity) {
      await client.query('ROLLBACK');
      return 'insufficient';
    }
    const created = await client.query<{ number: string }>({
      name: 'bench-order',
      text: `INSERT INTO orders (id, user_id, status, payment_method, currency, subtotal_minor, total_minor, customer_name, email, phone,
                                 shipping_address, guest_token_hash, reservation_expires_at, updated_at)
             VALUES ($1, NULL, 'CONFIRMED', 'COD', $2, $3, $3, 'Bench Shopper', $4, '+919800000000', $5, $6, NULL, now()) RETURNING number`,
      values: [orderId, line.currency, total, RAW_CHECKOUT_EMAIL, JSON.stringify(SHIPPING), tokenHash],
    });
    const number = created.rows[0].number;
    await client.query({
      name: 'bench-items',
      text: `INSERT INTO order_items (id, order_id, variant_id, sku, product_name, variant_name, unit_price_minor, quantity, line_total_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      values: [itemId, orderId, variantId, line.sku, line.product_name, line.name, line.price_minor, quantity, total],
    });
    await client.query({
      name: 'bench-levels',
      text: `UPDATE inventory_levels il SET on_hand = il.on_hand + d.on_hand_delta, reserved = il.reserved + d.reserved_delta, updated_at = now()
             FROM unnest($1::uuid[], $2::int[], $3::int[]) AS d(variant_id, on_hand_delta, reserved_delta) WHERE il.variant_id = d.variant_id`,
      values: [ids, [-quantity], [0]],
    });
    await client.query({
      name: 'bench-movements',
      text: `INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason, order_id, actor_id)
             VALUES ($1, 'RESERVATION', 0, $2, $3, $4, NULL), ($1, 'SALE', -$2::int, -$2::int, $5, $4, NULL)`,
      values: [variantId, quantity, `checkout ${number}`, orderId, `confirm_cod ${number}`],
    });
    await client.query({
      name: 'bench-history',
      text: `INSERT INTO order_status_history (order_id, from_status, to_status, event, reason, actor_type, actor_id)
             VALUES ($1, NULL, 'CREATED', 'CHECKOUT', NULL, 'GUEST', NULL), ($1, 'CREATED', 'CONFIRMED', 'CONFIRM_COD', NULL, 'GUEST', NULL)`,
      values: [orderId],
    });
    await client.query({
      name: 'bench-audit',
      text: `INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id, before, after, request_id)
             VALUES ('GUEST', NULL, 'order.created', 'order', $1, NULL, $2, $3), ('GUEST', NULL, 'order.confirm_cod', 'order', $1, $4, $5, $3)`,
      values: [
        orderId,
        JSON.stringify({ number, status: 'CREATED', paymentMethod: 'COD', currency: line.currency, totalMinor: total, items: [{ variantId, sku: line.sku, quantity, unitPriceMinor: line.price_minor }] }),
        randomUUID(),
        JSON.stringify({ status: 'CREATED' }),
        JSON.stringify({ status: 'CONFIRMED' }),
      ],
    });
    await client.query('COMMIT');
    return 'ok';
  };
}
