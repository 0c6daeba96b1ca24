import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AutocannonRequest } from 'autocannon';
import type pg from 'pg';
import type { RawOutcome } from './raw-load.js';

/** Orders from each source carry their own email, so the final check can count them exactly. */
export const HTTP_CHECKOUT_EMAIL = 'bench-http@example.com';
export const WARM_UP_EMAIL = 'bench-warm-up@example.com';
export const RAW_CHECKOUT_EMAIL = 'bench-raw@example.com';

const SHIPPING = { line1: '1 Bench Road', city: 'Pune', postalCode: '411001', country: 'IN' };

function checkoutBody(variantId: string, email: string) {
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

/**
 * The raw baseline: the statements a guest's cash-on-delivery checkout writes, sent by hand with `pg` (named prepared
 * statements, no HTTP, no ORM), in the shape CheckoutService uses. Before the transaction, as in the app: read prices
 * and committed stock (sold-out carts stop here). Inside, Serializable: lock the inventory rows in id order, check,
 * insert the order with its item snapshot, two history rows (created, confirmed) and two audit rows in one statement,
 * update the levels by the net of the RESERVATION and SALE movements, insert both movements, queue the order.created
 * notification in the outbox, and write the cash-on-delivery payment row (the app writes that one in a second
 * transaction right after), then COMMIT. runRawLoad retries 40001/40P01 like the app.
 */
export function rawCheckout(pickVariant: () => string) {
  return async (client: pg.Client): Promise<RawOutcome> => {
    const variantId = pickVariant();
    const ids = [variantId];
    const quantity = 1;
    const priced = await client.query<{
      sku: string;
      name: string;
      price_minor: number;
      currency: string;
      active: boolean;
      product_name: string;
      product_status: string;
      on_hand: number;
      reserved: number;
    }>({
      name: 'bench-price',
      text: `SELECT v.id::text, v.sku, v.name, v.price_minor, v.currency, v.active, p.name AS product_name, p.status::text AS product_status,
                    p.available_from, il.on_hand, il.reserved
             FROM variants v JOIN products p ON p.id = v.product_id LEFT JOIN inventory_levels il ON il.variant_id = v.id
             WHERE v.id = ANY($1::uuid[])`,
      values: [ids],
    });
    const line = priced.rows[0];
    if (!line?.active || line.product_status !== 'ACTIVE') throw new Error(`variant ${variantId} is not for sale`);
    if (line.on_hand - line.reserved < quantity) return 'insufficient';
    const orderId = randomUUID();
    const total = line.price_minor * quantity;
    const now = new Date();
    const tokenHash = createHash('sha256').update(randomBytes(32)).digest('hex');
    const requestId = randomUUID();

    await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    const locked = await client.query<{ on_hand: number; reserved: number }>({
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
      text: `WITH o AS (
               INSERT INTO orders (id, user_id, status, payment_method, currency, subtotal_minor, total_minor, customer_name, email, phone,
                                   shipping_address, guest_token_hash, reservation_expires_at, needs_review, carrier, tracking_number,
                                   created_at, updated_at)
               VALUES ($1::uuid, NULL, 'CONFIRMED', 'COD', $2, $3, $3, 'Bench Shopper', $4, '+919800000000',
                       $5::jsonb, $6, NULL, false, NULL, NULL, $7, $7)
               RETURNING number
             ), items AS (
               INSERT INTO order_items (id, order_id, variant_id, sku, product_name, variant_name, unit_price_minor, quantity, line_total_minor)
               VALUES (gen_random_uuid(), $1::uuid, $8::uuid, $9, $10, $11, $12, $13, $3)
             ), history AS (
               INSERT INTO order_status_history (order_id, from_status, to_status, event, reason, actor_type, actor_id)
               VALUES ($1::uuid, NULL, 'CREATED', 'CHECKOUT', NULL, 'GUEST', NULL),
                      ($1::uuid, 'CREATED', 'CONFIRMED', 'CONFIRM_COD', NULL, 'GUEST', NULL)
             ), audit AS (
               INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id, before, after, request_id)
               VALUES ('GUEST', NULL, 'order.created', 'order', $1::text, NULL, $14::jsonb, $15),
                      ('GUEST', NULL, 'order.confirm_cod', 'order', $1::text, '{"status":"CREATED"}', '{"status":"CONFIRMED"}', $15)
             )
             SELECT number FROM o`,
      values: [
        orderId,
        line.currency,
        total,
        RAW_CHECKOUT_EMAIL,
        JSON.stringify(SHIPPING),
        tokenHash,
        now,
        variantId,
        line.sku,
        line.product_name,
        line.name,
        line.price_minor,
        quantity,
        JSON.stringify({
          status: 'CREATED',
          paymentMethod: 'COD',
          currency: line.currency,
          totalMinor: total,
          items: [{ variantId, sku: line.sku, quantity, unitPriceMinor: line.price_minor }],
        }),
        requestId,
      ],
    });
    const number = created.rows[0].number;
    await client.query({
      name: 'bench-levels',
      text: `UPDATE inventory_levels il SET on_hand = il.on_hand + d.on_hand_delta, reserved = il.reserved + d.reserved_delta, updated_at = now()
             FROM unnest($1::uuid[], $2::int[], $3::int[]) AS d(variant_id, on_hand_delta, reserved_delta), variants v
             WHERE il.variant_id = d.variant_id AND v.id = il.variant_id
             RETURNING il.variant_id::text, il.on_hand, il.reserved, d.on_hand_delta, d.reserved_delta, v.low_stock_threshold`,
      values: [ids, [-quantity], [0]],
    });
    await client.query({
      name: 'bench-movements',
      text: `INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason, order_id, actor_id)
             VALUES ($1, 'RESERVATION', 0, $2, $3, $4, NULL), ($1, 'SALE', -$2::int, -$2::int, $5, $4, NULL)`,
      values: [variantId, quantity, `checkout ${number}`, orderId, `confirm_cod ${number}`],
    });
    await client.query({
      name: 'bench-outbox',
      text: `INSERT INTO outbox_messages (id, event, aggregate_id, destination, payload) VALUES (gen_random_uuid(), 'order.created', $1,
                  'channel:log', $2::jsonb)`,
      values: [
        orderId,
        JSON.stringify({
          order: {
            id: orderId,
            number,
            status: 'CONFIRMED',
            previousStatus: null,
            paymentMethod: 'COD',
            currency: line.currency,
            subtotalMinor: total,
            totalMinor: total,
            items: [
              {
                sku: line.sku,
                name: `${line.product_name} (${line.name})`,
                quantity,
                unitPriceMinor: line.price_minor,
                lineTotalMinor: total,
              },
            ],
            customer: { name: 'Bench Shopper', email: RAW_CHECKOUT_EMAIL, phone: '+919800000000' },
            shippingAddress: SHIPPING,
            carrier: null,
            trackingNumber: null,
            trackingUrl: null,
            createdAt: now,
          },
          reason: null,
        }),
      ],
    });
    await client.query({
      name: 'bench-payment',
      text: `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_minor, currency, client_data, created_at, updated_at)
             VALUES (gen_random_uuid(), $1::uuid, 'COD', 'cod_' || $1, 'PENDING', $2, $3, '{}', now(), now())`,
      values: [orderId, total, line.currency],
    });
    await client.query('COMMIT');
    return 'ok';
  };
}
