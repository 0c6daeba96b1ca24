-- The money rules, each in one place. Code that asks whether an order was paid, how much was captured or refunded, or
-- what is left to refund reads these views instead of restating the rule. When brands arrive, each view gains the
-- brand_id of its rows (CREATE OR REPLACE VIEW may add columns at the end) and is read under the same scoping as its
-- tables; nothing here picks rows by brand.

-- A capture that paid for its order: captured, and not set aside. payment_attempts.error_code on a CAPTURED row says
-- why a capture did not pay for the order (AMOUNT_MISMATCH, LATE_PAYMENT_REFUNDED, DUPLICATE_PAYMENT).
CREATE VIEW "applied_captures" AS
SELECT * FROM "payment_attempts" WHERE "status" = 'CAPTURED' AND "error_code" IS NULL;

-- Every captured attempt and its refunds: refundable = captured − refunded − pending (a pending refund is spoken for).
CREATE VIEW "capture_balances" AS
SELECT a."id" AS "attempt_id", a."order_id", a."payment_id", a."provider", a."provider_payment_id", a."currency", a."captured_at",
       a."error_code" IS NULL AS "applied",
       a."amount_minor" AS "captured_minor",
       COALESCE(r."refunded_minor", 0) AS "refunded_minor",
       COALESCE(r."pending_refund_minor", 0) AS "pending_refund_minor",
       a."amount_minor" - COALESCE(r."refunded_minor", 0) - COALESCE(r."pending_refund_minor", 0) AS "refundable_minor"
FROM "payment_attempts" a
LEFT JOIN LATERAL (
  SELECT (SUM("amount_minor") FILTER (WHERE "status" = 'SUCCEEDED'))::int AS "refunded_minor",
         (SUM("amount_minor") FILTER (WHERE "status" = 'PENDING'))::int AS "pending_refund_minor"
  FROM "refunds" WHERE "attempt_id" = a."id"
) r ON true
WHERE a."status" = 'CAPTURED';

-- An order's money in its own currency. paid: every capture (also those that did not pay for it, until refunded);
-- applied: the captures that paid for it; refunded / pending: confirmed and unconfirmed refunds; refundable: what a
-- refund may still take. applied_refunded: confirmed refunds of applied captures (REFUNDED once it reaches applied).
CREATE VIEW "order_payment_totals" AS
SELECT o."id" AS "order_id", o."currency",
       COALESCE(SUM(b."captured_minor"), 0)::int AS "paid_minor",
       COALESCE(SUM(b."captured_minor") FILTER (WHERE b."applied"), 0)::int AS "applied_minor",
       COALESCE(SUM(b."refunded_minor"), 0)::int AS "refunded_minor",
       COALESCE(SUM(b."refunded_minor") FILTER (WHERE b."applied"), 0)::int AS "applied_refunded_minor",
       COALESCE(SUM(b."pending_refund_minor"), 0)::int AS "pending_refund_minor",
       COALESCE(SUM(b."refundable_minor"), 0)::int AS "refundable_minor"
FROM "orders" o
LEFT JOIN "capture_balances" b ON b."order_id" = o."id" AND b."currency" = o."currency"
GROUP BY o."id", o."currency";

CREATE INDEX "refunds_attempt_id_idx" ON "refunds"("attempt_id");
