-- Many brands on one install (README "Brands"). Every brand-owned row carries brand_id; row-level security keeps each
-- transaction inside the brand it set with set_config('app.brand_id', <uuid>, true). The app runs as the role
-- orderline_app, which RLS applies to (the migrating role owns the tables and still sees every brand, as data
-- migrations need; a superuser bypasses RLS, so the app switches to orderline_app on every connection).

CREATE TYPE "BrandStatus" AS ENUM ('ACTIVE', 'SUSPENDED');

CREATE TABLE "brands" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "BrandStatus" NOT NULL DEFAULT 'ACTIVE',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brands_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "brands_slug_key" ON "brands"("slug");

-- The default brand: every existing row belongs to it, and a single-brand install never sees another.
INSERT INTO "brands" ("id", "slug", "name")
SELECT '00000000-0000-0000-0000-000000000001',
       COALESCE((SELECT "slug" FROM "brand_settings" WHERE "id" = 1), 'orderline-demo'),
       COALESCE((SELECT "brand_name" FROM "brand_settings" WHERE "id" = 1), 'Orderline Demo');

-- The brand of the current transaction (or session): NULL when none is set, so no row matches and an insert fails.
CREATE FUNCTION orderline_brand_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(current_setting('app.brand_id', true), '')::uuid
$$;

-- The brand a new row gets: the transaction's; with none set, the default brand. Only the tables' owner or a superuser
-- (migrations, an operator's SQL), whom row-level security does not apply to, can write without a brand; the app's
-- role cannot (the policy below refuses a row whose brand is not the transaction's, and NULL matches none).
CREATE FUNCTION orderline_new_row_brand_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(orderline_brand_id(), '00000000-0000-0000-0000-000000000001')
$$;

-- brand_id on every brand-owned table: existing rows get the default brand, new rows the brand of the transaction; the policy hides other brands' rows from reads and refuses writes of them.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'users', 'refresh_tokens', 'products', 'variants', 'inventory_levels', 'stock_movements', 'orders', 'order_items',
    'order_status_history', 'payments', 'payment_attempts', 'refunds', 'returns', 'return_items', 'webhook_events',
    'idempotency_keys', 'audit_log', 'outbox_messages', 'webhook_endpoints', 'brand_settings'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN "brand_id" UUID NOT NULL DEFAULT %L', t, '00000000-0000-0000-0000-000000000001');
    EXECUTE format('ALTER TABLE %I ALTER COLUMN "brand_id" SET DEFAULT orderline_new_row_brand_id()', t);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY brand_isolation ON %I USING ("brand_id" = orderline_brand_id()) WITH CHECK ("brand_id" = orderline_brand_id())', t);
  END LOOP;
END
$$;

-- Uniqueness per brand, keys leading with brand_id.
DROP INDEX "users_email_key";
CREATE UNIQUE INDEX "users_brand_id_email_key" ON "users"("brand_id", "email");
DROP INDEX "products_slug_key";
CREATE UNIQUE INDEX "products_brand_id_slug_key" ON "products"("brand_id", "slug");
DROP INDEX "variants_sku_key";
CREATE UNIQUE INDEX "variants_brand_id_sku_key" ON "variants"("brand_id", "sku");
DROP INDEX "orders_number_key";
CREATE UNIQUE INDEX "orders_brand_id_number_key" ON "orders"("brand_id", "number");
DROP INDEX "payments_provider_provider_ref_key";
CREATE UNIQUE INDEX "payments_brand_id_provider_provider_ref_key" ON "payments"("brand_id", "provider", "provider_ref");
DROP INDEX "payment_attempts_provider_provider_payment_id_key";
CREATE UNIQUE INDEX "payment_attempts_brand_id_provider_provider_payment_id_key" ON "payment_attempts"("brand_id", "provider", "provider_payment_id");
DROP INDEX "refunds_provider_provider_refund_id_key";
CREATE UNIQUE INDEX "refunds_brand_id_provider_provider_refund_id_key" ON "refunds"("brand_id", "provider", "provider_refund_id");
DROP INDEX "webhook_events_provider_event_id_key";
CREATE UNIQUE INDEX "webhook_events_brand_id_provider_event_id_key" ON "webhook_events"("brand_id", "provider", "event_id");
DROP INDEX "idempotency_keys_scope_key_key";
CREATE UNIQUE INDEX "idempotency_keys_brand_id_scope_key_key" ON "idempotency_keys"("brand_id", "scope", "key");
-- One settings row per brand (the default brand's is id 1).
ALTER TABLE "brand_settings" DROP CONSTRAINT "brand_settings_single_row";
INSERT INTO "brand_settings" ("id", "brand_id") VALUES (1, '00000000-0000-0000-0000-000000000001') ON CONFLICT DO NOTHING;
CREATE SEQUENCE "brand_settings_id_seq" OWNED BY "brand_settings"."id";
SELECT setval('brand_settings_id_seq', (SELECT max("id") FROM "brand_settings"));
ALTER TABLE "brand_settings" ALTER COLUMN "id" SET DEFAULT nextval('brand_settings_id_seq');
CREATE UNIQUE INDEX "brand_settings_brand_id_key" ON "brand_settings"("brand_id");

-- Listing indexes lead with the brand, so a brand's page reads only its rows.
DROP INDEX "orders_created_at_idx";
CREATE INDEX "orders_brand_id_created_at_idx" ON "orders"("brand_id", "created_at");
DROP INDEX "products_status_created_at_id_idx";
CREATE INDEX "products_brand_id_status_created_at_id_idx" ON "products"("brand_id", "status", "created_at", "id");
DROP INDEX "audit_log_created_at_idx";
CREATE INDEX "audit_log_brand_id_created_at_idx" ON "audit_log"("brand_id", "created_at");

-- Order numbers count per brand: the default brand keeps order_number_seq, every other brand has its own sequence
-- (created with the brand, see BrandsService), so numbers stay gap-tolerant and contention-free like before.
CREATE FUNCTION orderline_order_number_sequence(brand uuid) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN brand = '00000000-0000-0000-0000-000000000001' THEN 'order_number_seq'
              ELSE 'order_number_seq_' || replace(brand::text, '-', '') END
$$;
CREATE FUNCTION orderline_next_order_number() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT 'OL-' || to_char(nextval(orderline_order_number_sequence(orderline_new_row_brand_id())::regclass), 'FM999999999999000000')
$$;
ALTER TABLE "orders" ALTER COLUMN "number" SET DEFAULT orderline_next_order_number();
-- Run once when a brand is created (BrandsService.create).
CREATE FUNCTION orderline_create_order_number_sequence(brand uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', orderline_order_number_sequence(brand));
END
$$;

-- Views read their tables with the reader's rights, so the brand policy applies through them too.
ALTER VIEW "applied_captures" SET (security_invoker = true);
ALTER VIEW "capture_balances" SET (security_invoker = true);
ALTER VIEW "order_payment_totals" SET (security_invoker = true);

-- The role the app runs as (RLS applies to it: not a superuser, not the tables' owner). Creating it needs CREATEROLE;
-- without it the operator creates the role once (README) and this migration only grants.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orderline_app') THEN
    BEGIN
      CREATE ROLE orderline_app NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL; -- another database of this server created it meanwhile
      WHEN insufficient_privilege THEN
        RAISE WARNING 'orderline_app role not created (no CREATEROLE): create it and GRANT it to the app''s login role';
        RETURN;
    END;
  END IF;
  IF NOT pg_has_role(current_user, 'orderline_app', 'MEMBER') THEN
    EXECUTE format('GRANT orderline_app TO %I', current_user);
  END IF;
  EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO orderline_app', current_schema());
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO orderline_app', current_schema());
  EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO orderline_app', current_schema());
  -- Tables and sequences later migrations create (as this role) are the app's too.
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO orderline_app', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO orderline_app', current_schema());
END
$$;

