-- The console's order list pages by keyset, newest first: (created_at, id) below the last row shown. These indexes
-- serve it at any depth, unfiltered and per status tab (and its counts); they replace the created_at-only index.

-- DropIndex
DROP INDEX IF EXISTS "orders_created_at_idx";

-- CreateIndex
CREATE INDEX "orders_created_at_id_idx" ON "orders"("created_at", "id");

-- CreateIndex
CREATE INDEX "orders_status_created_at_id_idx" ON "orders"("status", "created_at", "id");
