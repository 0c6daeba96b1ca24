import type pg from 'pg';
import type { PrismaService } from '../../src/prisma/prisma.service.js';
import { ledgerViolations } from './fixtures.js';

/** A pg Pool or Client: the checks read the database directly, independent of the app under test. */
export type Queryable = Pick<pg.Pool, 'query'>;

/** Statuses in which an order holds a reservation, and in which its goods have left the stock (sold). */
const RESERVING = `('CREATED','PAYMENT_PENDING')`;
const SOLD = `('CONFIRMED','PAID','PARTIALLY_REFUNDED','FULFILLED','DELIVERED','RETURN_REQUESTED')`;
/** After these, what an order did to stock depends on how it got there (restocks of returned quantities). */
const UNCHECKED = `('REFUNDED','RETURNED')`;

export interface OrderProblem {
  order_id: string;
  problem: string;
}

/** Reuses the e2e helper (on_hand = Σ on_hand_delta, reserved = Σ reserved_delta per variant) over a plain pg pool. */
export function ledgerInvariantViolations(db: Queryable, variantIds?: string[]) {
  const prismaLike = { $queryRawUnsafe: async (sql: string, ...params: unknown[]) => (await db.query(sql, params)).rows };
  return ledgerViolations(prismaLike as unknown as PrismaService, variantIds);
}

/** Inventory rows that would mean oversell or lost stock if the database CHECKs were ever bypassed. */
export async function negativeStock(db: Queryable): Promise<{ variant_id: string; on_hand: number; reserved: number }[]> {
  const { rows } = await db.query(
    `SELECT variant_id::text, on_hand, reserved FROM inventory_levels WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand`,
  );
  return rows;
}

/**
 * "Whole or absent": every order has items whose totals add up, a status history that starts at creation, chains
 * without gaps and ends at the order's status, at least one audit entry, and exactly the stock movements its status
 * implies per variant (reserving: +qty reserved; sold: −qty on hand; released: nothing net). Stock movements that
 * name an order without a matching item are problems too. `orderIds` narrows the check.
 */
export async function orderProblems(db: Queryable, orderIds?: string[]): Promise<OrderProblem[]> {
  const only = orderIds ? `AND o.id = ANY($1::uuid[])` : '';
  const params = orderIds ? [orderIds] : [];
  const queries = [
    `SELECT o.id::text AS order_id, 'no items' AS problem FROM orders o
      WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id) ${only}`,
    `SELECT o.id::text AS order_id, 'item totals do not add up to the subtotal' AS problem FROM orders o
      JOIN order_items i ON i.order_id = o.id WHERE true ${only}
      GROUP BY o.id, o.subtotal_minor
      HAVING sum(i.line_total_minor) <> o.subtotal_minor OR bool_or(i.line_total_minor <> i.unit_price_minor * i.quantity OR i.quantity <= 0)`,
    `SELECT o.id::text AS order_id, 'no audit entry' AS problem FROM orders o
      WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_type = 'order' AND a.entity_id = o.id::text) ${only}`,
    `WITH h AS (
       SELECT order_id, from_status, to_status,
              lag(to_status) OVER w AS previous_to, row_number() OVER w AS n
       FROM order_status_history WINDOW w AS (PARTITION BY order_id ORDER BY id)
     ), per_order AS (
       SELECT order_id,
              bool_or(n = 1 AND from_status IS NOT NULL) AS bad_start,
              bool_or(n > 1 AND from_status IS DISTINCT FROM previous_to) AS gap,
              (array_agg(to_status ORDER BY n DESC))[1] AS last_to
       FROM h GROUP BY order_id
     )
     SELECT o.id::text AS order_id,
            CASE WHEN p.order_id IS NULL THEN 'no status history'
                 WHEN p.bad_start THEN 'history does not start at creation'
                 WHEN p.gap THEN 'history has a gap'
                 ELSE 'history does not end at the order status' END AS problem
     FROM orders o LEFT JOIN per_order p ON p.order_id = o.id
     WHERE (p.order_id IS NULL OR p.bad_start OR p.gap OR p.last_to <> o.status) ${only}`,
    `WITH items AS (SELECT order_id, variant_id, sum(quantity)::int AS q FROM order_items GROUP BY 1, 2),
          moves AS (SELECT order_id, variant_id, sum(on_hand_delta)::int AS on_hand, sum(reserved_delta)::int AS reserved
                    FROM stock_movements WHERE order_id IS NOT NULL GROUP BY 1, 2)
     SELECT o.id::text AS order_id,
            format('status %s, variant %s, quantity %s: net movements on_hand %s reserved %s', o.status, i.variant_id, i.q,
                        coalesce(m.on_hand, 0), coalesce(m.reserved, 0)) AS problem
     FROM orders o JOIN items i ON i.order_id = o.id
     LEFT JOIN moves m ON m.order_id = o.id AND m.variant_id = i.variant_id
     WHERE o.status NOT IN ${UNCHECKED} ${only}
       AND (coalesce(m.reserved, 0) <> CASE WHEN o.status IN ${RESERVING} THEN i.q ELSE 0 END
         OR coalesce(m.on_hand, 0) <> CASE WHEN o.status IN ${SOLD} THEN -i.q ELSE 0 END)`,
    `SELECT sm.order_id::text AS order_id, format('stock movement for variant %s without an order line', sm.variant_id) AS problem
     FROM stock_movements sm JOIN orders o ON o.id = sm.order_id
     WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = sm.order_id AND i.variant_id = sm.variant_id) ${only}`,
    `SELECT sm.order_id::text AS order_id, 'stock movement for an order that does not exist' AS problem
     FROM stock_movements sm WHERE sm.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = sm.order_id)
     ${orderIds ? 'AND sm.order_id = ANY($1::uuid[])' : ''}`,
  ];
  const results = await Promise.all(queries.map((sql) => db.query<OrderProblem>(sql, params)));
  return results.flatMap((r) => r.rows);
}

/** Everything the promise says about stock, in one call: [] when all holds. */
export async function stockAndOrderProblems(db: Queryable, orderIds?: string[], variantIds?: string[]): Promise<string[]> {
  const [ledger, negative, orders] = await Promise.all([
    ledgerInvariantViolations(db, variantIds),
    negativeStock(db),
    orderProblems(db, orderIds),
  ]);
  return [
    ...ledger.map(
      (v) => `ledger: variant ${v.variant_id} on_hand ${v.on_hand} vs Σ ${v.sum_on_hand}, reserved ${v.reserved} vs Σ ${v.sum_reserved}`,
    ),
    ...negative.map((v) => `stock: variant ${v.variant_id} on_hand ${v.on_hand} reserved ${v.reserved}`),
    ...orders.map((o) => `order ${o.order_id}: ${o.problem}`),
  ];
}
