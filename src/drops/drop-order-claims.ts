import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import type { WriteBatch } from '../prisma/write-batch.js';
import { assertCounterWithinLimit } from './drop-rules.js';

/** One counter row an order raised, and by how much. */
export interface CounterClaim {
  dropId: string;
  key: string;
  scope: string;
  quantity: number;
}

/**
 * The units each order added to the drop purchase counters. A drop limit counts what customers keep: when an order ends
 * with its goods back on the shelf (cancelled, expired, refunded before shipping) its units go back to the customer,
 * and a late payment that sells them after all counts them again, within the limits like any checkout. Order
 * transitions call this in the transaction that moves the stock, so the counters and the stock never disagree.
 */
@Injectable()
export class DropOrderClaims {
  /** In the checkout transaction's write batch (no round trip of its own): the counters `rows` raised for the order. */
  recordIn(batch: WriteBatch, orderId: string, rows: CounterClaim[]): void {
    if (!rows.length) return;
    batch.with(
      'drop_claims',
      Prisma.sql`
        INSERT INTO drop_order_claims (order_id, drop_id, customer_key, scope, quantity)
        SELECT ${orderId}::uuid, r.drop_id, r.customer_key, r.scope, r.quantity
        FROM unnest(${rows.map((r) => r.dropId)}::uuid[], ${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.scope)}::text[],
                    ${rows.map((r) => r.quantity)}::int[]) AS r(drop_id, customer_key, scope, quantity)
        WHERE r.quantity > 0`,
    );
  }

  /** The orders' units no longer count against their customers (each order once, however often this is called). */
  giveBack(tx: Tx, orderIds: string[]): Promise<void> {
    return this.move(tx, orderIds, true);
  }

  /**
   * Before a late payment sells the orders' goods after all: throws DropLimitError when counting their given-back units
   * again would take a customer past a drop limit (in the meantime the customer may have bought up to it in another
   * order). Locks the counter rows it reads, in `move`'s order, and writes nothing, so the caller can refund instead.
   */
  async assertCountable(tx: Tx, orderIds: string[]): Promise<void> {
    if (!orderIds.length) return;
    const counters = await tx.$queryRaw<
      { id: string; name: string; perCustomerLimit: number | null; perVariantLimit: number | null; scope: string; quantity: number }[]
    >`
      WITH units AS (
        SELECT brand_id, drop_id, customer_key, scope, sum(quantity)::int AS quantity
        FROM drop_order_claims WHERE order_id = ANY(${orderIds}::uuid[]) AND released
        GROUP BY 1, 2, 3, 4
      )
      SELECT d.id::text, d.name, d.per_customer_limit AS "perCustomerLimit", d.per_variant_limit AS "perVariantLimit",
             c.scope, c.quantity + u.quantity AS quantity
      FROM drop_purchase_counts c
      JOIN units u USING (brand_id, drop_id, customer_key, scope)
      JOIN drops d ON d.id = c.drop_id
      ORDER BY (c.drop_id::text || c.customer_key || c.scope) COLLATE "C"
      FOR UPDATE OF c`;
    for (const counter of counters) assertCounterWithinLimit(counter, counter);
  }

  /** The orders' given-back units count again (a late payment sold them after all, checked by assertCountable). */
  countAgain(tx: Tx, orderIds: string[]): Promise<void> {
    return this.move(tx, orderIds, false);
  }

  /**
   * Flips the orders' claims and moves the counters by their sum, one statement. The counter rows are locked in the
   * order checkout locks them (DropCheckout's key order: drop id, identity, scope as one string, byte order), so a
   * give-back and a checkout of the same customer cannot deadlock.
   */
  private async move(tx: Tx, orderIds: string[], release: boolean): Promise<void> {
    if (!orderIds.length) return;
    const sign = release ? -1 : 1;
    await tx.$executeRaw`
      WITH flipped AS (
        UPDATE drop_order_claims SET released = ${release}
        WHERE order_id = ANY(${orderIds}::uuid[]) AND released = ${!release}
        RETURNING brand_id, drop_id, customer_key, scope, quantity
      ), units AS (
        SELECT brand_id, drop_id, customer_key, scope, sum(quantity)::int AS quantity FROM flipped GROUP BY 1, 2, 3, 4
      ), locked AS (
        SELECT c.brand_id, c.drop_id, c.customer_key, c.scope, u.quantity
        FROM drop_purchase_counts c JOIN units u USING (brand_id, drop_id, customer_key, scope)
        ORDER BY (c.drop_id::text || c.customer_key || c.scope) COLLATE "C"
        FOR UPDATE OF c
      )
      UPDATE drop_purchase_counts c SET quantity = c.quantity + ${sign}::int * l.quantity
      FROM locked l
      WHERE c.brand_id = l.brand_id AND c.drop_id = l.drop_id AND c.customer_key = l.customer_key AND c.scope = l.scope`;
  }
}
