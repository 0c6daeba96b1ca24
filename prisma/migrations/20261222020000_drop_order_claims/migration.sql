-- What each order added to the drop purchase counters, so cancelling, expiring or refunding it (before shipping) gives
-- the units back to the customer, and a late payment that sells them after all counts them again (README "Drops").

-- CreateTable
CREATE TABLE "drop_order_claims" (
    "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id(),
    "order_id" UUID NOT NULL,
    "drop_id" UUID NOT NULL,
    "customer_key" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "released" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "drop_order_claims_pkey" PRIMARY KEY ("brand_id","order_id","drop_id","customer_key","scope")
);

ALTER TABLE "drop_order_claims" ADD CONSTRAINT "drop_order_claims_drop_id_fkey" FOREIGN KEY ("drop_id") REFERENCES "drops"("id") ON DELETE CASCADE;
-- Checkout writes the claims before the order row in the same transaction: the order must exist by commit.
ALTER TABLE "drop_order_claims" ADD CONSTRAINT "drop_order_claims_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id")
  ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "drop_order_claims" ADD CONSTRAINT "drop_order_claims_quantity_check" CHECK ("quantity" > 0);

ALTER TABLE "drop_order_claims" ENABLE ROW LEVEL SECURITY;
CREATE POLICY brand_isolation ON "drop_order_claims" USING ("brand_id" = orderline_brand_id()) WITH CHECK ("brand_id" = orderline_brand_id());
