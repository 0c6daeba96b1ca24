-- The console's keyset indexes (20261220050000) lead with the brand, like every other listing index of a brand
-- table: each brand pages through its own orders, and the row-level security predicate is the index's first column.

-- DropIndex
DROP INDEX "orders_brand_id_created_at_idx";
DROP INDEX "orders_created_at_id_idx";
DROP INDEX "orders_status_created_at_id_idx";

-- CreateIndex
CREATE INDEX "orders_brand_id_created_at_id_idx" ON "orders"("brand_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "orders_brand_id_status_created_at_id_idx" ON "orders"("brand_id", "status", "created_at", "id");
