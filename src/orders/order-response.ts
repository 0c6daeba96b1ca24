import { Prisma, type Order, type OrderItem } from '../generated/prisma/client.js';
import type { OrderItemResponse, OrderResponse, ShippingAddressResponse } from './dto/order.dto.js';
import { canTransition, ORDER_EVENTS, ORDER_STATUSES } from './order-state-machine.js';
import { ITEM_COLUMNS } from './order-row.js';

/** The API view of an order: everything but the guest token hash. */
export function toOrderResponse(order: Order & { items: OrderItem[] }): OrderResponse {
  return {
    id: order.id,
    number: order.number,
    status: order.status,
    nextEvents: ORDER_EVENTS.filter((event) => canTransition(order.status, event)),
    paymentMethod: order.paymentMethod,
    currency: order.currency,
    subtotalMinor: order.subtotalMinor,
    totalMinor: order.totalMinor,
    userId: order.userId,
    customerName: order.customerName,
    email: order.email,
    phone: order.phone,
    shippingAddress: order.shippingAddress as unknown as ShippingAddressResponse,
    reservationExpiresAt: order.reservationExpiresAt,
    needsReview: order.needsReview,
    carrier: order.carrier,
    trackingNumber: order.trackingNumber,
    trackingUrl: order.trackingUrl,
    carrierStatus: order.carrierStatus,
    items: order.items.map((item) => ({
      id: item.id,
      variantId: item.variantId,
      sku: item.sku,
      productName: item.productName,
      variantName: item.variantName,
      unitPriceMinor: item.unitPriceMinor,
      quantity: item.quantity,
      lineTotalMinor: item.lineTotalMinor,
    })),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

/** The item fields of the response, in toOrderResponse's order (each read from its column: order-row.ts). */
const ITEM_RESPONSE_FIELDS = [
  'id',
  'variantId',
  'sku',
  'productName',
  'variantName',
  'unitPriceMinor',
  'quantity',
  'lineTotalMinor',
] as const satisfies readonly (keyof OrderItemResponse & keyof OrderItem)[];

/** An ISO 8601 instant as Date.toISOString writes it (what JSON.stringify makes of a Date), from a timestamptz. */
export const isoInstant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** nextEvents of every status, as a jsonb literal the statement looks the row's status up in. */
const NEXT_EVENTS = `'${JSON.stringify(
  Object.fromEntries(ORDER_STATUSES.map((status) => [status, ORDER_EVENTS.filter((event) => canTransition(status, event))])),
)}'::jsonb`;

/**
 * toOrderResponse in SQL, field for field and in its key order (typed against OrderResponse, so a field added there
 * fails to compile until it is added here), for lists read in one statement: JSON.stringify writes the parsed object
 * exactly as it writes toOrderResponse's. Dates come as the ISO strings JSON.stringify would make of them; items in
 * the order the order_items index gives them (as stored, checkout's cart order), as Prisma's include reads them.
 */
const RESPONSE_FIELDS: Record<keyof OrderResponse, (alias: string) => string> = {
  id: (o) => `${o}.id`,
  number: (o) => `${o}.number`,
  status: (o) => `${o}.status`,
  nextEvents: (o) => `${NEXT_EVENTS} -> ${o}.status::text`,
  paymentMethod: (o) => `${o}.payment_method`,
  currency: (o) => `${o}.currency::text`,
  subtotalMinor: (o) => `${o}.subtotal_minor`,
  totalMinor: (o) => `${o}.total_minor`,
  userId: (o) => `${o}.user_id`,
  customerName: (o) => `${o}.customer_name`,
  email: (o) => `${o}.email`,
  phone: (o) => `${o}.phone`,
  shippingAddress: (o) => `${o}.shipping_address`,
  reservationExpiresAt: (o) => isoInstant(`${o}.reservation_expires_at`),
  needsReview: (o) => `${o}.needs_review`,
  carrier: (o) => `${o}.carrier`,
  trackingNumber: (o) => `${o}.tracking_number`,
  trackingUrl: (o) => `${o}.tracking_url`,
  carrierStatus: (o) => `${o}.carrier_status`,
  items: (o) =>
    `(SELECT coalesce(json_agg(json_build_object(${ITEM_RESPONSE_FIELDS.map((field) => `'${field}', i.${ITEM_COLUMNS[field]}`).join(
      ', ',
    )})), '[]') FROM order_items i WHERE i.order_id = ${o}.id)`,
  createdAt: (o) => isoInstant(`${o}.created_at`),
  updatedAt: (o) => isoInstant(`${o}.updated_at`),
};

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** The API view of the order row `alias` as one json value (toOrderResponse's, once parsed). */
export function orderResponseJson(alias: string): Prisma.Sql {
  if (!IDENTIFIER.test(alias)) throw new Error('alias: a lower-case SQL identifier');
  return Prisma.raw(
    `json_build_object(${Object.entries(RESPONSE_FIELDS)
      .map(([field, column]) => `'${field}', ${column(alias)}`)
      .join(', ')})`,
  );
}
