-- A Stripe capture is identified by its PaymentIntent (payments.provider_ref), never by a charge id: a PaymentIntent
-- succeeds at most once, and its events name it by intent or by charge. Captures recorded under both ids counted the
-- same money twice (and refunded the "duplicate"). Existing rows are brought to the one identity, then a partial
-- unique index makes the database refuse a second capture of one Stripe payment.

-- 1. One payment captured as two attempts: the later one is the same money. Its refunds move to the attempt that is
--    kept; automatic refunds of it not yet confirmed are stopped (there was no duplicate to give back); the order is
--    flagged for review and audited; the phantom row goes.
CREATE TEMP TABLE stripe_capture_phantoms AS
SELECT a.id AS phantom_id, k.id AS keep_id, a.order_id, a.provider_payment_id, a.amount_minor, a.currency, a.error_code
FROM payment_attempts a
JOIN LATERAL (
  SELECT k.id FROM payment_attempts k
  WHERE k.payment_id = a.payment_id AND k.provider = 'STRIPE' AND k.status = 'CAPTURED'
  ORDER BY k.error_code IS NOT NULL, k.captured_at NULLS LAST, k.created_at, k.id
  LIMIT 1
) k ON k.id <> a.id
WHERE a.provider = 'STRIPE' AND a.status = 'CAPTURED' AND a.payment_id IS NOT NULL;

UPDATE "refunds" r SET "status" = 'FAILED', "updated_at" = now()
FROM stripe_capture_phantoms p WHERE r.attempt_id = p.phantom_id AND r.automatic AND r.status = 'PENDING';

UPDATE "refunds" r SET "attempt_id" = p.keep_id, "updated_at" = now()
FROM stripe_capture_phantoms p WHERE r.attempt_id = p.phantom_id;

UPDATE "orders" o SET "needs_review" = true, "updated_at" = now()
WHERE o.id IN (SELECT order_id FROM stripe_capture_phantoms);

INSERT INTO "audit_log" ("actor_type", "actor_id", "action", "entity_type", "entity_id", "before", "after")
SELECT 'SYSTEM', 'system', 'payment.duplicate_capture_removed', 'order', p.order_id::text,
       jsonb_build_object('attemptId', p.phantom_id, 'providerPaymentId', p.provider_payment_id, 'amountMinor', p.amount_minor,
                          'currency', p.currency, 'errorCode', p.error_code),
       jsonb_build_object('keptAttemptId', p.keep_id, 'needsReview', true,
                          'reason', 'one Stripe PaymentIntent was recorded as two captures; unconfirmed automatic refunds of it were stopped')
FROM stripe_capture_phantoms p;

DELETE FROM "payment_attempts" a USING stripe_capture_phantoms p WHERE a.id = p.phantom_id;

DROP TABLE stripe_capture_phantoms;

-- 2. Captures recorded under their charge id take the PaymentIntent id.
UPDATE "payment_attempts" a SET "provider_payment_id" = p.provider_ref, "updated_at" = now()
FROM "payments" p
WHERE a.payment_id = p.id AND a.provider = 'STRIPE' AND a.status = 'CAPTURED' AND p.provider_ref IS NOT NULL
  AND a.provider_payment_id <> p.provider_ref
  AND NOT EXISTS (SELECT 1 FROM "payment_attempts" o WHERE o.provider = 'STRIPE' AND o.provider_payment_id = p.provider_ref);

-- 3. At most one capture per Stripe payment (PaymentIntent).
CREATE UNIQUE INDEX "payment_attempts_one_stripe_capture_per_payment" ON "payment_attempts" ("payment_id")
WHERE "provider" = 'STRIPE' AND "status" = 'CAPTURED';
