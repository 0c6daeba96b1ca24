import bcrypt from 'bcrypt';
import type pg from 'pg';
import type { AutocannonRequest } from 'autocannon';

/** The staff order list at scale: 100,000 orders (BENCH_ORDERS), read the way the console reads them. */

const STATUSES = ['DELIVERED', 'DELIVERED', 'FULFILLED', 'PAID', 'PAID', 'CONFIRMED', 'REFUNDED'] as const;
const BENCH_ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password' };

/**
 * Orders spread over the last 90 days, written with SQL as consistent as checkout leaves them (item, one-row status
 * history, audit entry, a SALE movement on a dedicated variant whose stock covers them all), so the run's invariant
 * checks hold.
 */
export async function seedOrders(db: pg.Pool, count: number): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const product = await client.query<{ id: string }>(
      `INSERT INTO products (id, slug, name, images, status, updated_at) VALUES (gen_random_uuid(), 'bench-orders-tee', 'Bench Orders Tee', '{}', 'ACTIVE', now())
       RETURNING id::text`,
    );
    const variant = await client.query<{ id: string }>(
      `INSERT INTO variants (id, product_id, sku, name, price_minor, currency, updated_at)
       VALUES (gen_random_uuid(), $1, 'BENCH-ORDERS', 'One size', 129900, 'INR', now()) RETURNING id::text`,
      [product.rows[0].id],
    );
    const variantId = variant.rows[0].id;
    await client.query(`INSERT INTO inventory_levels (variant_id, on_hand, reserved, updated_at) VALUES ($1, $2, 0, now())`, [
      variantId,
      count * 10 - count,
    ]);
    await client.query(
      `INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason) VALUES ($1, 'ADJUSTMENT', $2, 0, 'bench')`,
      [variantId, count * 10],
    );
    await client.query(
      `CREATE TEMP TABLE bench_list ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g AS n, ($2::text[])[1 + (g % cardinality($2::text[]))]::"OrderStatus" AS status,
              now() - (random() * interval '90 days') AS created_at
       FROM generate_series(1, $1::int) g`,
      [count, STATUSES],
    );
    await client.query(
      `INSERT INTO orders (id, status, payment_method, currency, subtotal_minor, total_minor, customer_name, email, phone,
                           shipping_address, created_at, updated_at)
       SELECT id, status, CASE WHEN status = 'CONFIRMED' THEN 'COD' WHEN n % 2 = 0 THEN 'RAZORPAY' ELSE 'STRIPE' END, 'INR', 129900, 129900,
              'List Shopper ' || n, 'list-' || n || '@example.com', '+9197' || lpad(n::text, 8, '0'),
              '{"line1":"1 Bench Road","city":"Pune","postalCode":"411001","country":"IN"}', created_at, created_at
       FROM bench_list ORDER BY created_at`,
    );
    await client.query(
      `INSERT INTO order_items (id, order_id, variant_id, sku, product_name, variant_name, unit_price_minor, quantity, line_total_minor)
       SELECT gen_random_uuid(), id, $1, 'BENCH-ORDERS', 'Bench Orders Tee', 'One size', 129900, 1, 129900 FROM bench_list`,
      [variantId],
    );
    await client.query(
      `INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason, order_id)
       SELECT $1, 'SALE', -1, 0, 'bench order', id FROM bench_list`,
      [variantId],
    );
    await client.query(
      `INSERT INTO order_status_history (order_id, from_status, to_status, event, actor_type, created_at)
       SELECT id, NULL, status, 'CHECKOUT', 'GUEST', created_at FROM bench_list`,
    );
    await client.query(
      `INSERT INTO audit_log (actor_type, action, entity_type, entity_id, after)
       SELECT 'GUEST', 'order.created', 'order', id::text, jsonb_build_object('status', status) FROM bench_list`,
    );
    await client.query('COMMIT');
    await ensureBenchAdmin(db);
    // As autovacuum would leave a table this size minutes later: statistics, and the visibility map that lets the
    // list's capped count read its index alone (without it every counted entry visits the heap).
    await client.query('VACUUM (ANALYZE) orders');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** The admin account the bench signs in with (created once). */
export async function ensureBenchAdmin(db: pg.Pool): Promise<void> {
  await db.query(
    `INSERT INTO users (id, email, password_hash, name, role, updated_at)
     SELECT gen_random_uuid(), $1, $2, 'Bench Admin', 'ADMIN', now() WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = $1)`,
    [BENCH_ADMIN.email, await bcrypt.hash(BENCH_ADMIN.password, 4)],
  );
}

export async function benchAdminToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BENCH_ADMIN),
  });
  if (!res.ok) throw new Error(`bench admin login: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** Cursors of pages 1..pages of a list (following nextCursor), to start requests from deep in it. */
export async function collectCursors(baseUrl: string, token: string, query: string, pages: number): Promise<string[]> {
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const res = await fetch(`${baseUrl}/orders?limit=50${query}${cursor ? `&cursor=${cursor}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    cursor = ((await res.json()) as { nextCursor: string | null }).nextCursor;
    if (!cursor) break;
    cursors.push(cursor);
  }
  return cursors;
}

/**
 * What the console asks while staff work: the first page (all, and a status tab), a date range with a payment
 * method, and pages far back by cursor; 50 orders each, as the console shows them.
 */
export function orderListRequests(token: string, deepCursors: string[]): AutocannonRequest[] {
  const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const paths = [
    () => '/orders?limit=50',
    () => '/orders?limit=50&status=PAID',
    () => `/orders?limit=50&from=${encodeURIComponent(since)}&paymentMethod=RAZORPAY`,
    () => `/orders?limit=50&cursor=${pick(deepCursors)}`,
  ];
  return [
    {
      method: 'GET',
      path: '/orders',
      headers: { authorization: `Bearer ${token}` },
      setupRequest: (req) => ({ ...req, path: pick(paths)() }),
    },
  ];
}
