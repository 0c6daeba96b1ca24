-- Hysteresis of low / out-of-stock announcements: the last one made per variant (see StockLedger).

-- CreateEnum
CREATE TYPE "StockAlert" AS ENUM ('CLEAR', 'LOW', 'OUT');

-- AlterTable
ALTER TABLE "inventory_levels" ADD COLUMN     "stock_alert" "StockAlert" NOT NULL DEFAULT 'CLEAR';

-- Existing variants: as if the announcements of the threshold crossings so far had been made.
UPDATE "inventory_levels" il
SET "stock_alert" = (CASE
  WHEN il.on_hand - il.reserved <= 0 THEN 'OUT'
  WHEN il.on_hand - il.reserved <= v.low_stock_threshold THEN 'LOW'
  ELSE 'CLEAR' END)::"StockAlert"
FROM "variants" v WHERE v.id = il.variant_id;
