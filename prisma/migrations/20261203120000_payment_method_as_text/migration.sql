-- Payment providers are registered in code, one class each: a provider's code (STRIPE, RAZORPAY, COD, ...) is stored
-- as text whose shape the database checks, so adding a provider needs no migration. The values and their unique
-- indexes carry over unchanged (ALTER ... TYPE rebuilds the indexes). Earlier versions cast to "PaymentMethod", so they
-- must not run against this schema: stop them before it is applied. The partial index on Stripe captures compares
-- with the enum, so it is dropped and made again over the text column.
DROP INDEX "payment_attempts_one_stripe_capture_per_payment";
ALTER TABLE "orders" ALTER COLUMN "payment_method" TYPE TEXT USING "payment_method"::text;
ALTER TABLE "payments" ALTER COLUMN "provider" TYPE TEXT USING "provider"::text;
ALTER TABLE "payment_attempts" ALTER COLUMN "provider" TYPE TEXT USING "provider"::text;
ALTER TABLE "refunds" ALTER COLUMN "provider" TYPE TEXT USING "provider"::text;
ALTER TABLE "webhook_events" ALTER COLUMN "provider" TYPE TEXT USING "provider"::text;
DROP TYPE "PaymentMethod";
CREATE UNIQUE INDEX "payment_attempts_one_stripe_capture_per_payment" ON "payment_attempts" ("payment_id")
WHERE "provider" = 'STRIPE' AND "status" = 'CAPTURED';

ALTER TABLE "orders" ADD CONSTRAINT "orders_payment_method_code" CHECK ("payment_method" ~ '^[A-Z][A-Z0-9_]{0,31}$');
ALTER TABLE "payments" ADD CONSTRAINT "payments_provider_code" CHECK ("provider" ~ '^[A-Z][A-Z0-9_]{0,31}$');
ALTER TABLE "payment_attempts" ADD CONSTRAINT "payment_attempts_provider_code" CHECK ("provider" ~ '^[A-Z][A-Z0-9_]{0,31}$');
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_provider_code" CHECK ("provider" ~ '^[A-Z][A-Z0-9_]{0,31}$');
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_provider_code" CHECK ("provider" ~ '^[A-Z][A-Z0-9_]{0,31}$');
