-- Catalogue browsing: variant display order, the newest-first product page, and name search.

-- AlterTable
ALTER TABLE "variants" ADD COLUMN     "position" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "products_status_created_at_id_idx" ON "products"("status", "created_at", "id");

-- Name search (ILIKE '%term%') through trigrams; pg_trgm is a trusted extension, so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "products_name_trgm_idx" ON "products" USING gin ("name" gin_trgm_ops);

ALTER TABLE "variants" ADD CONSTRAINT "variants_position_non_negative" CHECK ("position" >= 0);
