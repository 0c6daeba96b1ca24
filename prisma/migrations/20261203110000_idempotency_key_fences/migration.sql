-- Stuck idempotency keys: what claimed a key (for admins), and the fences that make releasing one provably safe:
-- an order or refund row references the key that created it, so a request whose key was released can no longer
-- commit under it (the foreign key check fails), and whether it committed is a lookup.

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "idempotency_key_id" UUID;

-- AlterTable
ALTER TABLE "refunds" ADD COLUMN     "idempotency_key_id" UUID;

-- AlterTable
ALTER TABLE "idempotency_keys" ADD COLUMN     "records" TEXT,
ADD COLUMN     "request_method" TEXT,
ADD COLUMN     "request_path" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "orders_idempotency_key_id_key" ON "orders"("idempotency_key_id");

-- CreateIndex
CREATE INDEX "refunds_idempotency_key_id_idx" ON "refunds"("idempotency_key_id");

-- CreateIndex
CREATE INDEX "idempotency_keys_status_created_at_idx" ON "idempotency_keys"("status", "created_at");

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_idempotency_key_id_fkey" FOREIGN KEY ("idempotency_key_id") REFERENCES "idempotency_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_idempotency_key_id_fkey" FOREIGN KEY ("idempotency_key_id") REFERENCES "idempotency_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

