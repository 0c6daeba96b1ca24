import { Prisma, type Order, type OrderItem } from '../generated/prisma/client.js';

/**
 * An order with its items read in one raw statement (hot paths: a webhook's order lock, transitions), in the shape
 * Prisma gives. uuid columns stay uuid (raw queries return them as strings): a statement that joins on a text-cast id
 * cannot use the index under row-level security (the cast is not leakproof). The maps name every field, so a column added to Order or OrderItem fails to compile until it is
 * added here too.
 */
const ORDER_COLUMNS: Record<keyof Order, string> = {
  id: 'id',
  brandId: 'brand_id',
  number: 'number',
  userId: 'user_id',
  status: 'status::text',
  paymentMethod: 'payment_method',
  currency: 'currency::text',
  subtotalMinor: 'subtotal_minor',
  totalMinor: 'total_minor',
  customerName: 'customer_name',
  email: 'email',
  phone: 'phone',
  shippingAddress: 'shipping_address',
  guestTokenHash: 'guest_token_hash',
  reservationExpiresAt: 'reservation_expires_at',
  needsReview: 'needs_review',
  carrier: 'carrier',
  trackingNumber: 'tracking_number',
  trackingUrl: 'tracking_url',
  carrierStatus: 'carrier_status',
  idempotencyKeyId: 'idempotency_key_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

/** Each OrderItem field's column. */
export const ITEM_COLUMNS: Record<keyof OrderItem, string> = {
  id: 'id',
  brandId: 'brand_id',
  orderId: 'order_id',
  variantId: 'variant_id',
  sku: 'sku',
  productName: 'product_name',
  variantName: 'variant_name',
  unitPriceMinor: 'unit_price_minor',
  quantity: 'quantity',
  lineTotalMinor: 'line_total_minor',
};

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function columnList(alias: string): string {
  if (!IDENTIFIER.test(alias)) throw new Error('alias: a lower-case SQL identifier');
  return Object.entries(ORDER_COLUMNS)
    .map(([field, column]) => `${alias}.${column} AS "${field}"`)
    .join(', ');
}

const ITEM_OBJECT = `json_build_object(${Object.entries(ITEM_COLUMNS)
  .map(([field, column]) => `'${field}', i.${column}`)
  .join(', ')})`;

/** The order's columns as Order fields, read from the row (or the RETURNING of an UPDATE) named `alias`. */
export const orderColumns = (alias: string): Prisma.Sql => Prisma.raw(columnList(alias));

/** `items`: every item of the order whose id `orderId` (SQL, a uuid) names, as OrderItem fields, by id. */
export const orderItemsColumn = (orderId: string): Prisma.Sql =>
  Prisma.raw(`(SELECT coalesce(json_agg(${ITEM_OBJECT} ORDER BY i.id), '[]') FROM order_items i WHERE i.order_id = ${orderId}) AS items`);
