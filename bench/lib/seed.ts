import type pg from 'pg';

export interface BenchCatalogue {
  hotVariantId: string;
  /** the 10,000 variants spread checkout picks from uniformly */
  spreadVariantIds: string[];
  productSlugs: string[];
}

const HOT_STOCK = 10_000_000;
const SPREAD_STOCK = 100_000;

/**
 * The benchmark catalogue, written with plain SQL: one hot product with one variant and huge stock, and 2,000
 * products × 5 variants for spread checkout and catalogue reads. Stock arrives as ADJUSTMENT movements so the
 * ledger invariant holds from the start.
 */
export async function seedCatalogue(db: pg.Pool, products = 2_000, variantsPerProduct = 5): Promise<BenchCatalogue> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO products (id, slug, name, description, category, images, status, updated_at)
       SELECT gen_random_uuid(), format('bench-product-%s', lpad(g::text, 5, '0')), format('Bench Product %s', g),
              'Seeded for the benchmark.', 'bench', ARRAY['https://images.example.com/bench.jpg'], 'ACTIVE', now()
       FROM generate_series(1, $1) g`,
      [products],
    );
    await client.query(
      `INSERT INTO variants (id, product_id, sku, name, attributes, price_minor, currency, updated_at)
       SELECT gen_random_uuid(), p.id, format('BENCH-%s-%s', substr(p.slug, 15), s), format('Size %s', s),
              jsonb_build_object('size', s), 10000 + s * 100, 'INR', now()
       FROM products p CROSS JOIN generate_series(1, $1) s WHERE p.slug LIKE 'bench-product-%'`,
      [variantsPerProduct],
    );
    await client.query(
      `WITH hot AS (
         INSERT INTO products (id, slug, name, description, category, images, status, updated_at)
         VALUES (gen_random_uuid(), 'bench-hot-drop', 'Bench Hot Drop', 'Everyone wants this one.', 'bench', ARRAY[]::text[], 'ACTIVE', now())
         RETURNING id)
       INSERT INTO variants (id, product_id, sku, name, attributes, price_minor, currency, updated_at)
       SELECT gen_random_uuid(), hot.id, 'BENCH-HOT', 'One size', '{}', 249900, 'INR', now() FROM hot`,
    );
    await client.query(
      `INSERT INTO inventory_levels (variant_id, on_hand, reserved, updated_at)
       SELECT id, CASE WHEN sku = 'BENCH-HOT' THEN $1::int ELSE $2::int END, 0, now() FROM variants WHERE sku LIKE 'BENCH-%'`,
      [HOT_STOCK, SPREAD_STOCK],
    );
    await client.query(
      `INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason, actor_id)
       SELECT il.variant_id, 'ADJUSTMENT', il.on_hand, 0, 'benchmark seed', 'system'
       FROM inventory_levels il JOIN variants v ON v.id = il.variant_id WHERE v.sku LIKE 'BENCH-%'`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  await db.query('ANALYZE');
  const hot = await db.query<{ id: string }>(`SELECT id::text FROM variants WHERE sku = 'BENCH-HOT'`);
  const spread = await db.query<{ id: string }>(
    `SELECT id::text FROM variants WHERE sku LIKE 'BENCH-%-%' AND sku <> 'BENCH-HOT' ORDER BY sku`,
  );
  const slugs = await db.query<{ slug: string }>(`SELECT slug FROM products WHERE slug LIKE 'bench-product-%' ORDER BY slug`);
  return { hotVariantId: hot.rows[0].id, spreadVariantIds: spread.rows.map((r) => r.id), productSlugs: slugs.rows.map((r) => r.slug) };
}

export interface PendingOrder {
  id: string;
  number: string;
  providerRef: string;
  totalMinor: number;
  currency: string;
}

/**
 * PAYMENT_PENDING Stripe orders of 1 unit each (round-robin over `variantIds`), written with SQL exactly as checkout
 * leaves them: order, item snapshot, RESERVATION movement and reserved stock, status history (creation, then awaiting
 * payment), audit entry and the provider payment row.
 */
export async function seedPendingOrders(
  db: pg.Pool,
  options: { count: number; variantIds: string[]; expiresAt: Date; email: string },
): Promise<PendingOrder[]> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE bench_pending ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g AS n, ($2::uuid[])[1 + (g % cardinality($2::uuid[]))] AS variant_id,
              format('pi_bench_%s_%s', $3::text, g) AS provider_ref
       FROM generate_series(1, $1::int) g`,
      [options.count, options.variantIds, Date.now().toString(36)],
    );
    await client.query(
      `INSERT INTO orders (id, status, payment_method, currency, subtotal_minor, total_minor, customer_name, email, phone,
                           shipping_address, reservation_expires_at, created_at, updated_at)
       SELECT b.id, 'PAYMENT_PENDING', 'STRIPE', v.currency, v.price_minor, v.price_minor, 'Bench Shopper', $1, '+919800000000',
              '{"line1":"1 Bench Road","city":"Pune","postalCode":"411001","country":"IN"}', $2, now(), now()
       FROM bench_pending b JOIN variants v ON v.id = b.variant_id`,
      [options.email, options.expiresAt],
    );
    await client.query(
      `INSERT INTO order_items (id, order_id, variant_id, sku, product_name, variant_name, unit_price_minor, quantity, line_total_minor)
       SELECT gen_random_uuid(), b.id, v.id, v.sku, p.name, v.name, v.price_minor, 1, v.price_minor
       FROM bench_pending b JOIN variants v ON v.id = b.variant_id JOIN products p ON p.id = v.product_id`,
    );
    await client.query(
      `INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason, order_id)
       SELECT b.variant_id, 'RESERVATION', 0, 1, 'checkout ' || o.number, b.id FROM bench_pending b JOIN orders o ON o.id = b.id`,
    );
    await client.query(
      `UPDATE inventory_levels il SET reserved = il.reserved + c.n, updated_at = now()
       FROM (SELECT variant_id, count(*)::int AS n FROM bench_pending GROUP BY variant_id) c WHERE il.variant_id = c.variant_id`,
    );
    await client.query(
      `INSERT INTO order_status_history (order_id, from_status, to_status, event, actor_type, created_at)
       SELECT id, NULL, 'CREATED', 'CHECKOUT', 'GUEST', now() FROM bench_pending ORDER BY n`,
    );
    await client.query(
      `INSERT INTO order_status_history (order_id, from_status, to_status, event, actor_type, created_at)
       SELECT id, 'CREATED', 'PAYMENT_PENDING', 'AWAIT_PAYMENT', 'GUEST', now() FROM bench_pending ORDER BY n`,
    );
    await client.query(
      `INSERT INTO audit_log (actor_type, action, entity_type, entity_id, after)
       SELECT 'GUEST', 'order.created', 'order', id::text, jsonb_build_object('status', 'PAYMENT_PENDING') FROM bench_pending`,
    );
    await client.query(
      `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_minor, currency, client_data, created_at, updated_at)
       SELECT gen_random_uuid(), o.id, 'STRIPE', b.provider_ref, 'PENDING', o.total_minor, o.currency,
              jsonb_build_object('clientSecret', b.provider_ref || '_secret'), now(), now()
       FROM bench_pending b JOIN orders o ON o.id = b.id`,
    );
    const { rows } = await client.query<PendingOrder>(
      `SELECT o.id::text AS id, o.number, b.provider_ref AS "providerRef", o.total_minor AS "totalMinor", o.currency
       FROM bench_pending b JOIN orders o ON o.id = b.id ORDER BY b.n`,
    );
    await client.query('COMMIT');
    return rows;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
