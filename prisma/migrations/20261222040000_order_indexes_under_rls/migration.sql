-- Indexes the app can use under row-level security. The app's role is subject to the brand policy, and PostgreSQL
-- evaluates a query's own conditions after the policy's unless they are leakproof: a comparison of the enum `status`
-- (enum_eq) is not, so it is never an index condition — the (brand_id, status, ...) indexes were walked over every
-- status and filtered row by row (a status tab read 100,000 index entries and heap rows to show 50 orders). A partial
-- index's predicate needs no evaluation (the planner proves it from the query), so these are partial: one per status.
-- text and timestamp comparisons are leakproof, so payment_method and created_at serve as index conditions as they are.

-- DropIndex
DROP INDEX "orders_brand_id_status_created_at_id_idx";
DROP INDEX "orders_status_reservation_expires_at_idx";

-- The staff list per status tab, newest first by keyset (and its capped count): one small index per status, together
-- the size of one index over all orders. A status added later gets its index in the migration that adds it.
DO $$
DECLARE
  s text;
BEGIN
  FOREACH s IN ARRAY enum_range(NULL::"OrderStatus")::text[] LOOP
    EXECUTE format('CREATE INDEX %I ON "orders" ("brand_id", "created_at", "id") WHERE "status" = %L',
                   'orders_brand_id_created_at_id_' || lower(s) || '_idx', s);
  END LOOP;
END
$$;

-- The staff list filtered by payment method (with or without a date range).
CREATE INDEX "orders_brand_id_payment_method_created_at_id_idx" ON "orders"("brand_id", "payment_method", "created_at", "id");

-- Reservation expiry: the due PAYMENT_PENDING orders of the brand in expiry order, so each batch reads only its own.
CREATE INDEX "orders_brand_id_reservation_expires_at_pending_idx" ON "orders"("brand_id", "reservation_expires_at")
WHERE "status" = 'PAYMENT_PENDING';
