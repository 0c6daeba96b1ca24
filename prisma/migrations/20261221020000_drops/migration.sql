-- Drops (README "Drops"): a scheduled sale of some variants with early access, per-customer limits and a waitlist.
-- Every table is brand-owned: brand_id leads its keys and the brand_isolation policy holds it.

-- CreateTable
CREATE TABLE "drops" (
    "id" UUID NOT NULL,
    "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id(),
    "name" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3),
    "early_access_starts_at" TIMESTAMPTZ(3),
    "access_code_hash" TEXT,
    "per_customer_limit" INTEGER,
    "per_variant_limit" INTEGER,
    "per_order_limit" INTEGER,
    "open_announced_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "drops_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "drop_variants" (
    "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id(),
    "drop_id" UUID NOT NULL,
    "variant_id" UUID NOT NULL,

    CONSTRAINT "drop_variants_pkey" PRIMARY KEY ("brand_id","drop_id","variant_id")
);

-- CreateTable
CREATE TABLE "drop_access_entries" (
    "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id(),
    "drop_id" UUID NOT NULL,
    "contact_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "drop_access_entries_pkey" PRIMARY KEY ("brand_id","drop_id","contact_key")
);

-- CreateTable
CREATE TABLE "drop_purchase_counts" (
    "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id(),
    "drop_id" UUID NOT NULL,
    "customer_key" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "drop_purchase_counts_pkey" PRIMARY KEY ("brand_id","drop_id","customer_key","scope")
);

-- CreateTable
CREATE TABLE "waitlist_entries" (
    "id" UUID NOT NULL,
    "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id(),
    "seq" BIGSERIAL NOT NULL,
    "drop_id" UUID,
    "variant_id" UUID,
    "contact_key" TEXT NOT NULL,
    "phone" TEXT,
    "email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notified_at" TIMESTAMPTZ(3),

    CONSTRAINT "waitlist_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "drops_brand_id_starts_at_idx" ON "drops"("brand_id", "starts_at");

-- CreateIndex
CREATE INDEX "drop_variants_brand_id_variant_id_idx" ON "drop_variants"("brand_id", "variant_id");

-- CreateIndex
CREATE INDEX "waitlist_entries_brand_id_variant_id_seq_idx" ON "waitlist_entries"("brand_id", "variant_id", "seq");

-- CreateIndex
CREATE INDEX "waitlist_entries_brand_id_drop_id_seq_idx" ON "waitlist_entries"("brand_id", "drop_id", "seq");

-- AddForeignKey
ALTER TABLE "drop_variants" ADD CONSTRAINT "drop_variants_drop_id_fkey" FOREIGN KEY ("drop_id") REFERENCES "drops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drop_variants" ADD CONSTRAINT "drop_variants_variant_id_fkey" FOREIGN KEY ("variant_id") REFERENCES "variants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


ALTER TABLE "drop_access_entries" ADD CONSTRAINT "drop_access_entries_drop_id_fkey" FOREIGN KEY ("drop_id") REFERENCES "drops"("id") ON DELETE CASCADE;
ALTER TABLE "drop_purchase_counts" ADD CONSTRAINT "drop_purchase_counts_drop_id_fkey" FOREIGN KEY ("drop_id") REFERENCES "drops"("id") ON DELETE CASCADE;
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_drop_id_fkey" FOREIGN KEY ("drop_id") REFERENCES "drops"("id") ON DELETE CASCADE;
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_variant_id_fkey" FOREIGN KEY ("variant_id") REFERENCES "variants"("id") ON DELETE CASCADE;

ALTER TABLE "drops" ADD CONSTRAINT "drops_windows_check" CHECK (
  ("ends_at" IS NULL OR "ends_at" > "starts_at") AND ("early_access_starts_at" IS NULL OR "early_access_starts_at" < "starts_at"));
ALTER TABLE "drops" ADD CONSTRAINT "drops_limits_check" CHECK (
  coalesce("per_customer_limit", 1) > 0 AND coalesce("per_variant_limit", 1) > 0 AND coalesce("per_order_limit", 1) > 0);
ALTER TABLE "drop_purchase_counts" ADD CONSTRAINT "drop_purchase_counts_quantity_check" CHECK ("quantity" >= 0);
-- A waitlist entry is for exactly one thing: a variant or a drop.
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_target_check" CHECK (("drop_id" IS NULL) <> ("variant_id" IS NULL));
-- One pending entry per person and thing: signing up twice keeps the first place in the line.
CREATE UNIQUE INDEX "waitlist_entries_pending_key" ON "waitlist_entries"("brand_id", coalesce("variant_id", "drop_id"), "contact_key")
  WHERE "notified_at" IS NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['drops', 'drop_variants', 'drop_access_entries', 'drop_purchase_counts', 'waitlist_entries'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY brand_isolation ON %I USING ("brand_id" = orderline_brand_id()) WITH CHECK ("brand_id" = orderline_brand_id())', t);
  END LOOP;
END $$;
