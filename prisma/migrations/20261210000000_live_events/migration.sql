-- Live events (src/live): every change the storefront and the console show live is announced with pg_notify by a
-- statement-level trigger, so the NOTIFY is part of the transaction that made the change (sent on commit, never for a
-- rollback), no code path can forget it, and it costs no extra round trip. Each instance LISTENs on one dedicated
-- connection and fans the notifications out to its server-sent-event streams. Payloads are small JSON arrays (ids,
-- versions, public numbers), at most 40 rows per notification so they stay far below PostgreSQL's 8000-byte limit.

-- orderline_orders: [{ "id", "number", "status", "updatedAt" }] for every order inserted or updated.
CREATE FUNCTION orderline_live_orders() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  chunk text;
BEGIN
  FOR chunk IN
    SELECT json_agg(json_build_object('id', c.id, 'number', c.number, 'status', c.status, 'updatedAt', c.updated_at))::text
    FROM (SELECT n.id, n.number, n.status, n.updated_at, row_number() OVER () - 1 AS i FROM live_new_rows n) c
    GROUP BY c.i / 40
  LOOP
    PERFORM pg_notify('orderline_orders', chunk);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE TRIGGER orders_live_insert AFTER INSERT ON "orders"
  REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_orders();
CREATE TRIGGER orders_live_update AFTER UPDATE ON "orders"
  REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_orders();

-- orderline_stock: [{ "variantId", "productId", "available" }] for every variant whose available stock (on hand −
-- reserved) changed. Selling a reservation (payment captured) leaves it unchanged and announces nothing.
CREATE FUNCTION orderline_live_stock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  chunk text;
BEGIN
  FOR chunk IN
    SELECT json_agg(json_build_object('variantId', c.variant_id, 'productId', c.product_id, 'available', c.available))::text
    FROM (
      SELECT n.variant_id, v.product_id, n.on_hand - n.reserved AS available, row_number() OVER () - 1 AS i
      FROM live_new_rows n
      JOIN live_old_rows o ON o.variant_id = n.variant_id
      JOIN "variants" v ON v.id = n.variant_id
      WHERE n.on_hand - n.reserved <> o.on_hand - o.reserved
    ) c
    GROUP BY c.i / 40
  LOOP
    PERFORM pg_notify('orderline_stock', chunk);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE TRIGGER inventory_levels_live AFTER UPDATE ON "inventory_levels"
  REFERENCING OLD TABLE AS live_old_rows NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_stock();

-- orderline_catalogue: [{ "productId", "updatedAt" }] for every product created or changed, directly or through one of
-- its variants (name, price, images, status, availableFrom ...): listeners read the product again.
CREATE FUNCTION orderline_live_catalogue(product_ids uuid[], versions timestamptz[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  chunk text;
BEGIN
  FOR chunk IN
    SELECT json_agg(json_build_object('productId', c.product_id, 'updatedAt', c.updated_at))::text
    FROM (
      SELECT p.product_id, max(p.updated_at) AS updated_at, row_number() OVER () - 1 AS i
      FROM unnest(product_ids, versions) AS p(product_id, updated_at)
      GROUP BY p.product_id
    ) c
    GROUP BY c.i / 40
  LOOP
    PERFORM pg_notify('orderline_catalogue', chunk);
  END LOOP;
END
$$;

CREATE FUNCTION orderline_live_products() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM orderline_live_catalogue(array_agg(n.id), array_agg(n.updated_at)) FROM live_new_rows n;
  RETURN NULL;
END
$$;

CREATE FUNCTION orderline_live_variants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM orderline_live_catalogue(array_agg(n.product_id), array_agg(n.updated_at)) FROM live_new_rows n;
  RETURN NULL;
END
$$;

CREATE TRIGGER products_live_insert AFTER INSERT ON "products"
  REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_products();
CREATE TRIGGER products_live_update AFTER UPDATE ON "products"
  REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_products();
CREATE TRIGGER variants_live_insert AFTER INSERT ON "variants"
  REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_variants();
CREATE TRIGGER variants_live_update AFTER UPDATE ON "variants"
  REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_variants();
