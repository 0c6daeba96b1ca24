import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '../src/database/migrator.js';

const MIGRATION = '20261203100000_stripe_capture_per_payment_intent';

/**
 * The migration that gives every Stripe capture its PaymentIntent as identity, run on rows written the old way:
 * captures keyed on the charge id, and one PaymentIntent counted twice (its intent and its charge, with a
 * DUPLICATE_PAYMENT automatic refund) — what a payment_intent.succeeded without latest_charge followed by
 * charge.refunded used to leave behind.
 */
describe('migration: one capture identity per Stripe PaymentIntent', () => {
  let db: pg.Client;
  let admin: pg.Client;
  let name: string;
  let url: string;
  let migrationsBefore: string;

  beforeAll(async () => {
    const server = new URL(process.env.DATABASE_URL!);
    name = `orderline_migration_${randomBytes(4).toString('hex')}`;
    admin = new pg.Client({ connectionString: server.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    server.pathname = `/${name}`;
    url = server.toString();
    // Every migration up to (not including) the one under test.
    migrationsBefore = mkdtempSync(path.join(os.tmpdir(), 'orderline-migrations-'));
    const all = path.resolve('prisma/migrations');
    for (const dir of readdirSync(all, { withFileTypes: true })) {
      if (dir.isDirectory() && dir.name < MIGRATION)
        cpSync(path.join(all, dir.name), path.join(migrationsBefore, dir.name), { recursive: true });
    }
    await applyMigrations(url, migrationsBefore);
    db = new pg.Client({ connectionString: url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await admin?.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin?.end();
    if (migrationsBefore) rmSync(migrationsBefore, { recursive: true, force: true });
  });

  async function order(): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO orders (id, status, payment_method, currency, subtotal_minor, total_minor, customer_name, email, phone,
                  shipping_address, updated_at)
       VALUES ($1, 'PAID', 'STRIPE', 'INR', 10000, 10000, 'Asha', 'asha@example.com', '+919800000001', '{}', now())`,
      [id],
    );
    return id;
  }
  async function payment(orderId: string, intentId: string): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_minor, currency, updated_at) VALUES ($1, $2, 'STRIPE',
                  $3, 'SUCCEEDED', 10000, 'INR', now())`,
      [id, orderId, intentId],
    );
    return id;
  }
  async function attempt(
    orderId: string,
    paymentId: string,
    providerPaymentId: string,
    status: string,
    errorCode: string | null,
    capturedAt: string | null,
  ): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO payment_attempts (id, order_id, payment_id, provider, provider_payment_id, status, amount_minor, currency, error_code,
                  captured_at, updated_at)
       VALUES ($1, $2, $3, 'STRIPE', $4, $5, 10000, 'INR', $6, $7, now())`,
      [id, orderId, paymentId, providerPaymentId, status, errorCode, capturedAt],
    );
    return id;
  }
  async function refund(
    orderId: string,
    paymentId: string,
    attemptId: string,
    status: string,
    automatic: boolean,
    amount = 10000,
  ): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO refunds (id, order_id, payment_id, attempt_id, provider, provider_refund_id, status, amount_minor, currency, automatic, updated_at)
       VALUES ($1, $2, $3, $4, 'STRIPE', $5, $6, $7, 'INR', $8, now())`,
      [id, orderId, paymentId, attemptId, automatic ? null : `re_${id.slice(0, 8)}`, status, amount, automatic],
    );
    return id;
  }

  it(
    're-keys charge-keyed captures, removes a double-counted capture with its stray refund, flags and audits it, ' +
      'then enforces one capture',
    async () => {
      // An ordinary payment recorded the old way: capture keyed on the charge, a failed try before it, a refund after.
      const plainOrder = await order();
      const plainPayment = await payment(plainOrder, 'pi_plain');
      const failedTry = await attempt(plainOrder, plainPayment, 'ch_failed', 'FAILED', 'card_declined', null);
      const plainCapture = await attempt(plainOrder, plainPayment, 'ch_plain', 'CAPTURED', null, '2026-11-01T10:00:00Z');
      const plainRefund = await refund(plainOrder, plainPayment, plainCapture, 'SUCCEEDED', false, 2500);

      // One PaymentIntent counted twice: by intent (paid the order), then by charge (a phantom "duplicate payment").
      const doubleOrder = await order();
      const doublePayment = await payment(doubleOrder, 'pi_double');
      const kept = await attempt(doubleOrder, doublePayment, 'pi_double', 'CAPTURED', null, '2026-11-01T10:00:00Z');
      const phantom = await attempt(doubleOrder, doublePayment, 'ch_double', 'CAPTURED', 'DUPLICATE_PAYMENT', '2026-11-01T10:05:00Z');
      const strayRefund = await refund(doubleOrder, doublePayment, phantom, 'PENDING', true);
      const dashboardRefund = await refund(doubleOrder, doublePayment, phantom, 'SUCCEEDED', false, 3000);

      // Exactly this migration (later ones are not what this test is about).
      cpSync(path.resolve('prisma/migrations', MIGRATION), path.join(migrationsBefore, MIGRATION), { recursive: true });
      expect(await applyMigrations(url, migrationsBefore)).toEqual([MIGRATION]);

      const attempts = async (orderId: string) =>
        (
          await db.query(
            `SELECT id, provider_payment_id, status, error_code FROM payment_attempts WHERE order_id = $1 ORDER BY created_at, id`,
            [orderId],
          )
        ).rows;
      expect(await attempts(plainOrder)).toEqual(
        expect.arrayContaining([
          { id: failedTry, provider_payment_id: 'ch_failed', status: 'FAILED', error_code: 'card_declined' },
          { id: plainCapture, provider_payment_id: 'pi_plain', status: 'CAPTURED', error_code: null },
        ]),
      );
      expect(await attempts(doubleOrder)).toEqual([{ id: kept, provider_payment_id: 'pi_double', status: 'CAPTURED', error_code: null }]);

      const refunds = (
        await db.query(`SELECT id, attempt_id, status FROM refunds WHERE order_id = ANY($1::uuid[])`, [[plainOrder, doubleOrder]])
      ).rows;
      expect(refunds).toEqual(
        expect.arrayContaining([
          { id: plainRefund, attempt_id: plainCapture, status: 'SUCCEEDED' },
          { id: strayRefund, attempt_id: kept, status: 'FAILED' },
          { id: dashboardRefund, attempt_id: kept, status: 'SUCCEEDED' },
        ]),
      );
      const flagged = (await db.query(`SELECT id, needs_review FROM orders WHERE id = ANY($1::uuid[])`, [[plainOrder, doubleOrder]])).rows;
      expect(Object.fromEntries(flagged.map((o) => [o.id, o.needs_review]))).toEqual({ [plainOrder]: false, [doubleOrder]: true });
      const audit = (await db.query(`SELECT entity_id, action, before, after FROM audit_log WHERE entity_type = 'order'`)).rows;
      expect(audit).toEqual([
        expect.objectContaining({
          entity_id: doubleOrder,
          action: 'payment.duplicate_capture_removed',
          before: expect.objectContaining({ attemptId: phantom, providerPaymentId: 'ch_double', errorCode: 'DUPLICATE_PAYMENT' }),
          after: expect.objectContaining({ keptAttemptId: kept, needsReview: true }),
        }),
      ]);

      // From now on the database itself refuses a second capture of one Stripe payment, whatever id it comes under.
      await expect(attempt(plainOrder, plainPayment, 'ch_plain_again', 'CAPTURED', null, '2026-11-02T10:00:00Z')).rejects.toMatchObject({
        code: '23505',
      });
      await expect(attempt(plainOrder, plainPayment, 'ch_failed_again', 'FAILED', 'card_declined', null)).resolves.toEqual(
        expect.any(String),
      );

      // Later migrations (payment methods and providers become text) rebuild that guard rather than lose it.
      const later = readdirSync(path.resolve('prisma/migrations'), { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name > MIGRATION)
        .map((d) => d.name)
        .sort();
      expect(await applyMigrations(url)).toEqual(later);
      await expect(attempt(plainOrder, plainPayment, 'ch_plain_later', 'CAPTURED', null, '2026-11-03T10:00:00Z')).rejects.toMatchObject({
        code: '23505',
      });
    },
  );
});
