import { Injectable } from '@nestjs/common';
import type { Order, Payment, PaymentAttempt, Refund } from '../generated/prisma/client.js';
import type { PaymentMethod } from '../orders/payment-gateway.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import { WriteBatch } from '../prisma/write-batch.js';
import type { Actor } from '../common/actor.js';
import { UUID_PATTERN } from '../common/uuid.js';
import { AuditService } from '../audit/audit.service.js';
import { InsufficientStockError } from '../inventory/stock-shortage.js';
import { DropLimitError } from '../drops/drop-rules.js';
import { OrderTransitionsService, type LockedOrder } from '../orders/order-transitions.service.js';
import { canTransition } from '../orders/order-state-machine.js';
import { orderColumns, orderItemsColumn } from '../orders/order-row.js';
import type { PaymentEvent, ProviderCapture, ProviderRefund } from './payment-provider.js';

/**
 * Why a captured attempt did not pay for its order (payment_attempts.error_code on a CAPTURED row). A capture without
 * one is the money the order was paid with.
 */
const UNAPPLIED_CAPTURE = {
  amountMismatch: 'AMOUNT_MISMATCH',
  latePaymentRefunded: 'LATE_PAYMENT_REFUNDED',
  duplicatePayment: 'DUPLICATE_PAYMENT',
} as const;

export interface LedgerResult {
  /** What happened, for the webhook event's result column and logs. */
  result: string;
  /** Refund rows created PENDING in this transaction, to send to the provider once it commits. */
  refundsToSend: string[];
}

const done = (result: string, refundsToSend: string[] = []): LedgerResult => ({ result, refundsToSend });
const alreadyRecorded = (capture: ProviderCapture): LedgerResult => done(`capture ${capture.providerPaymentId} already recorded`);

/** The columns of a payment and of a claimed attempt that applying events needs (read with raw SQL on the hot path). */
type PaymentRow = Pick<Payment, 'id' | 'orderId' | 'provider' | 'status'>;
type ClaimedAttempt = Pick<PaymentAttempt, 'id' | 'providerPaymentId' | 'amountMinor' | 'currency'>;

/** A refund row read with raw SQL, in the shape Prisma gives (the map names every field, so a new column must be added). */
const REFUND_COLUMNS: Record<keyof Refund, string> = {
  id: 'id',
  brandId: 'brand_id',
  orderId: 'order_id',
  paymentId: 'payment_id',
  attemptId: 'attempt_id',
  provider: 'provider',
  providerRefundId: 'provider_refund_id',
  status: 'status::text',
  amountMinor: 'amount_minor',
  currency: 'currency',
  reason: 'reason',
  automatic: 'automatic',
  idempotencyKeyId: 'idempotency_key_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};
const refundColumns = Prisma.raw(
  Object.entries(REFUND_COLUMNS)
    .map(([field, column]) => `${column} AS "${field}"`)
    .join(', '),
);

/**
 * Applies provider-neutral payment events to our books inside the caller's transaction (PaymentTransactions: READ
 * COMMITTED, each decision read after the lock it depends on). Every path locks
 * the order row first, so all money effects on one order are serialised, and each capture is claimed exactly once
 * through the unique (provider, provider_payment_id) attempt row: only the claimer moves the order.
 */
@Injectable()
export class PaymentLedger {
  constructor(
    private readonly transitions: OrderTransitionsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Applies one event. Raw statements only, so it runs in a direct transaction too. The writes of the common case (a
   * capture that pays an order awaiting payment) go into `batch`, which the caller runs (with writes of its own: one
   * round trip); without a batch they are sent before this returns. Other cases send their statements as they go.
   */
  async apply(tx: Tx, provider: PaymentMethod, event: PaymentEvent, actor: Actor, batch?: WriteBatch): Promise<LedgerResult> {
    const writes = batch ?? new WriteBatch();
    const applied = await this.applyTo(writes, tx, provider, event, actor);
    if (!batch) await writes.run(tx);
    return applied;
  }

  private async applyTo(batch: WriteBatch, tx: Tx, provider: PaymentMethod, event: PaymentEvent, actor: Actor): Promise<LedgerResult> {
    const paymentRef = event.type === 'refund.updated' ? (event.paymentRef ?? event.capture?.paymentRef) : event.paymentRef;
    const located = await this.locate(tx, provider, paymentRef, event.orderId, event.type === 'payment.captured' ? event : undefined);
    if (!located) return done(`ignored: no order for ${provider} payment ${paymentRef ?? '(none)'}`);
    const { order, payment } = located;
    switch (event.type) {
      case 'payment.captured': {
        if (located.claimed) return this.pay(batch, tx, order, payment, event, actor);
        const attempt = await this.claimCapture(tx, order, payment, event);
        return attempt ? this.applyCapture(tx, order, payment, event, attempt, actor) : alreadyRecorded(event);
      }
      case 'payment.failed':
        return this.failure(tx, order, payment, event, actor);
      case 'payment.cancelled':
        return this.cancellation(tx, order, payment, actor);
      case 'refund.updated': {
        // A refund proves its payment was captured: apply that first (it may arrive before the capture event).
        const attempt = event.capture && (await this.claimCapture(tx, order, payment, event.capture));
        const captured =
          event.capture &&
          (attempt ? await this.applyCapture(tx, order, payment, event.capture, attempt, actor) : alreadyRecorded(event.capture));
        const current = attempt ? await this.transitions.lockOrder(tx, order.id) : order; // only a claimed capture may have moved it
        const refunded = await this.refundUpdate(tx, current, provider, event.refund, actor);
        return done([captured?.result, refunded.result].filter(Boolean).join('; '), [
          ...(captured?.refundsToSend ?? []),
          ...refunded.refundsToSend,
        ]);
      }
    }
  }

  /**
   * Applies events in order (one transaction: the caller's) and collects the refunds they scheduled; results joined by
   * '; '. The last event's batched writes go into `batch` when given (the caller runs it); earlier ones are sent first.
   */
  async applyAll(tx: Tx, provider: PaymentMethod, events: PaymentEvent[], actor: Actor, batch?: WriteBatch): Promise<LedgerResult> {
    const results: string[] = [];
    const refundsToSend: string[] = [];
    for (const [index, event] of events.entries()) {
      const applied = await this.apply(tx, provider, event, actor, index === events.length - 1 ? batch : undefined);
      results.push(applied.result);
      refundsToSend.push(...applied.refundsToSend);
    }
    return done(results.join('; '), refundsToSend);
  }

  /**
   * A PENDING payment that can no longer take money (the provider cancelled it, or we did) becomes CANCELLED. The
   * caller holds the order lock and has checked the payment is PENDING; `extraAfter` adds to the audit entry's after.
   */
  async markCancelled(
    tx: Tx,
    order: Pick<Order, 'id' | 'status'>,
    paymentId: string,
    actor: Actor,
    extraAfter: Record<string, unknown> = {},
  ): Promise<void> {
    await tx.$executeRaw`UPDATE payments SET status = 'CANCELLED', updated_at = now() WHERE id = ${paymentId}::uuid`;
    await this.audit.append(tx, {
      actor,
      action: 'payment.cancelled',
      entityType: 'order',
      entityId: order.id,
      before: { paymentId, status: 'PENDING' },
      after: { status: 'CANCELLED', orderStatus: order.status, ...extraAfter },
    });
  }

  /**
   * Settles one of our refund rows with the provider's answer (refund call response, status fetch or webhook). Only a
   * PENDING row changes; a confirmed refund of the money the order was paid with moves the order to
   * PARTIALLY_REFUNDED or REFUNDED where the state machine allows it.
   */
  async settleRefund(tx: Tx, order: LockedOrder, row: Refund, observed: ProviderRefund, actor: Actor): Promise<LedgerResult> {
    if (row.status !== 'PENDING') return done(`refund ${row.id} already ${row.status.toLowerCase()}`);
    if (observed.status === 'PENDING') {
      if (!row.providerRefundId)
        await tx.$executeRaw`UPDATE refunds SET provider_refund_id = ${observed.providerRefundId}, updated_at = now() WHERE id = ${row.id}::uuid`;
      return done(`refund ${row.id} pending at provider`);
    }
    await tx.$executeRaw`
      UPDATE refunds SET status = ${observed.status}::"RefundStatus", provider_refund_id = ${observed.providerRefundId}, updated_at = now()
      WHERE id = ${row.id}::uuid`;
    await this.audit.append(tx, {
      actor,
      action: observed.status === 'SUCCEEDED' ? 'refund.succeeded' : 'refund.failed',
      entityType: 'order',
      entityId: order.id,
      before: { refundId: row.id, status: row.status },
      after: {
        refundId: row.id,
        status: observed.status,
        providerRefundId: observed.providerRefundId,
        amountMinor: row.amountMinor,
        currency: row.currency,
        automatic: row.automatic,
      },
    });
    if (observed.status === 'FAILED') {
      // A refund we owe and could not make (late or duplicate payment) must reach a person.
      if (row.automatic && !order.needsReview)
        await this.flagForReview(tx, order, actor, { reason: 'automatic refund failed', refundId: row.id });
      return done(`refund ${row.id} failed`);
    }
    return done(`refund ${row.id} succeeded${await this.applyRefundToOrder(tx, order, row, actor)}`);
  }

  /** The provider refused the refund outright (nothing was refunded): the row fails and the amount is refundable again. */
  async rejectRefund(tx: Tx, order: LockedOrder, row: Refund, message: string, actor: Actor): Promise<LedgerResult> {
    if (row.status !== 'PENDING') return done(`refund ${row.id} already ${row.status.toLowerCase()}`);
    await tx.$executeRaw`UPDATE refunds SET status = 'FAILED', updated_at = now() WHERE id = ${row.id}::uuid`;
    await this.audit.append(tx, {
      actor,
      action: 'refund.rejected',
      entityType: 'order',
      entityId: order.id,
      before: { refundId: row.id, status: row.status },
      after: {
        refundId: row.id,
        status: 'FAILED',
        amountMinor: row.amountMinor,
        currency: row.currency,
        automatic: row.automatic,
        providerMessage: message,
      },
    });
    if (row.automatic && !order.needsReview)
      await this.flagForReview(tx, order, actor, { reason: 'automatic refund refused by the provider', refundId: row.id });
    return done(`refund ${row.id} refused by the provider`);
  }

  private async flagForReview(tx: Tx, order: LockedOrder, actor: Actor, details: Record<string, unknown>): Promise<void> {
    await tx.$executeRaw`UPDATE orders SET needs_review = true, updated_at = now() WHERE id = ${order.id}::uuid`;
    await this.audit.append(tx, {
      actor,
      action: 'order.flagged_for_review',
      entityType: 'order',
      entityId: order.id,
      before: { needsReview: order.needsReview },
      after: { needsReview: true, ...details },
    });
  }

  /**
   * The payment object an event is about, and its order (locked). A provider object we have no row for but whose
   * metadata names one of our orders (its creation answer was lost) is adopted, so its money is still traced.
   */
  private async locate(
    tx: Tx,
    provider: PaymentMethod,
    paymentRef: string | undefined,
    orderIdHint: string | undefined,
    capture?: ProviderCapture,
  ): Promise<{ order: LockedOrder; payment: PaymentRow; claimed?: boolean } | undefined> {
    if (!paymentRef) return undefined;
    // The payment and its order, locked and read with its items, in one statement (this runs for every webhook).
    const locked = Prisma.sql`
      SELECT p.id::text AS "paymentId", p.provider AS "paymentProvider", p.status::text AS "paymentStatus",
             ${orderColumns('o')}, ${orderItemsColumn('o.id')}
      FROM payments p JOIN orders o ON o.id = p.order_id
      WHERE p.provider = ${provider} AND p.provider_ref = ${paymentRef}
      FOR UPDATE OF o`;
    // A capture of the order's amount while it awaits payment is claimed in the same statement, once the lock is held
    // (the common case: `pay`). Nothing is claimed when its attempt row exists (a redelivery under another event id, or
    // a failed attempt captured later): the other cases (claimCapture) decide then. Safe at READ COMMITTED: a lock that
    // waited returns the order as its holder committed it, the claim tests only that row, and ON CONFLICT sees every
    // committed attempt; the payment's columns may predate the wait, so nothing decides on them (cancellation rereads).
    const [found] = await tx.$queryRaw<
      ((LockedOrder & { paymentId: string; paymentProvider: string; paymentStatus: Payment['status']; claimed?: number }) | undefined)[]
    >(
      capture
        ? Prisma.sql`
      WITH locked AS (${locked}), claim AS (
        INSERT INTO payment_attempts (id, order_id, payment_id, provider, provider_payment_id, status, amount_minor, currency, captured_at, updated_at)
        SELECT gen_random_uuid(), l.id, l."paymentId"::uuid, l."paymentProvider", ${capture.providerPaymentId}::text, 'CAPTURED',
               ${capture.amountMinor}::int, ${capture.currency}::text, now(), now()
        FROM locked l
        WHERE l.status = 'PAYMENT_PENDING' AND l."totalMinor" = ${capture.amountMinor}::int AND l.currency = ${capture.currency}::text
        ON CONFLICT (brand_id, provider, provider_payment_id) DO NOTHING
        RETURNING 1
      )
      SELECT l.*, (SELECT count(*)::int FROM claim) AS claimed FROM locked l`
        : locked,
    );
    if (found) {
      const { paymentId, paymentProvider, paymentStatus, claimed, ...order } = found;
      return {
        order,
        payment: { id: paymentId, orderId: order.id, provider: paymentProvider, status: paymentStatus },
        claimed: claimed === 1,
      };
    }
    const orderId = orderIdHint && UUID_PATTERN.test(orderIdHint) ? orderIdHint : undefined;
    if (!orderId) return undefined;
    const [exists] = await tx.$queryRaw<unknown[]>`SELECT 1 FROM orders WHERE id = ${orderId}::uuid`;
    if (!exists) return undefined;
    const order = await this.transitions.lockOrder(tx, orderId);
    // Adopted: the newest payment of the order still without a provider reference, else a new one. Read after the lock:
    // another event for this payment that adopted it while this one waited has given it the reference (existing).
    const [adopted] = await tx.$queryRaw<PaymentRow[]>`
      WITH existing AS (
        SELECT id, order_id, provider, status FROM payments WHERE provider = ${provider} AND provider_ref = ${paymentRef}
      ), unfinished AS (
        SELECT id FROM payments WHERE order_id = ${orderId}::uuid AND provider = ${provider} AND provider_ref IS NULL
          AND NOT EXISTS (SELECT 1 FROM existing)
        ORDER BY created_at DESC LIMIT 1
      ), updated AS (
        UPDATE payments p SET provider_ref = ${paymentRef}, updated_at = now() FROM unfinished WHERE p.id = unfinished.id
        RETURNING p.id, p.order_id, p.provider, p.status
      ), created AS (
        INSERT INTO payments (id, order_id, provider, provider_ref, amount_minor, currency, updated_at)
        SELECT gen_random_uuid(), ${orderId}::uuid, ${provider}, ${paymentRef}, ${order.totalMinor}, ${order.currency}, now()
        WHERE NOT EXISTS (SELECT 1 FROM unfinished) AND NOT EXISTS (SELECT 1 FROM existing)
        RETURNING id, order_id, provider, status
      )
      SELECT id::text, order_id::text AS "orderId", provider, status::text FROM existing
      UNION ALL SELECT id::text, order_id::text, provider, status::text FROM updated
      UNION ALL SELECT id::text, order_id::text, provider, status::text FROM created`;
    return { order, payment: adopted };
  }

  private matches(order: LockedOrder, capture: ProviderCapture): boolean {
    return capture.amountMinor === order.totalMinor && capture.currency === order.currency;
  }

  /**
   * The common case, its writes in `batch`: the capture of the order's amount that `locate` claimed while the order
   * awaited payment moves the order to PAID and marks the payment SUCCEEDED.
   */
  private async pay(
    batch: WriteBatch,
    tx: Tx,
    order: LockedOrder,
    payment: PaymentRow,
    capture: ProviderCapture,
    actor: Actor,
  ): Promise<LedgerResult> {
    if (order.status !== 'PAYMENT_PENDING' || !this.matches(order, capture))
      throw new Error(`Capture ${capture.providerPaymentId} claimed for an order it does not pay`);
    batch.with(
      'payment_succeeded',
      Prisma.sql`UPDATE payments SET status = 'SUCCEEDED', updated_at = now() WHERE id = ${payment.id}::uuid`,
    );
    await this.transitions.applyIn(batch, tx, order, 'PAYMENT_SUCCEEDED', {
      actor,
      reason: `${payment.provider} payment ${capture.providerPaymentId}`,
    });
    return done('order paid');
  }

  /** Moves the order for a capture this caller claimed (claimCapture): paid, late payment, or flagged / refunded. */
  private async applyCapture(
    tx: Tx,
    order: LockedOrder,
    payment: PaymentRow,
    capture: ProviderCapture,
    attempt: ClaimedAttempt,
    actor: Actor,
  ): Promise<LedgerResult> {
    if (!this.matches(order, capture)) {
      await this.markUnapplied(
        tx,
        attempt,
        UNAPPLIED_CAPTURE.amountMismatch,
        `expected ${order.totalMinor} ${order.currency}, captured ${capture.amountMinor} ${capture.currency}`,
      );
      await this.flagForReview(tx, order, actor, {
        reason: 'payment amount or currency does not match the order',
        providerPaymentId: capture.providerPaymentId,
        expected: { amountMinor: order.totalMinor, currency: order.currency },
        received: { amountMinor: capture.amountMinor, currency: capture.currency },
      });
      return done(`capture ${capture.providerPaymentId} does not match the order total: flagged for review`);
    }
    if (order.status === 'PAYMENT_PENDING') {
      await this.transitions.apply(tx, order, 'PAYMENT_SUCCEEDED', {
        actor,
        reason: `${payment.provider} payment ${capture.providerPaymentId}`,
      });
      await this.markPaymentSucceeded(tx, payment);
      return done('order paid');
    }
    if (canTransition(order.status, 'LATE_PAYMENT_ACCEPTED')) return this.latePayment(tx, order, payment, attempt, actor);
    return this.refundUnapplied(
      tx,
      order,
      payment,
      attempt,
      UNAPPLIED_CAPTURE.duplicatePayment,
      `Duplicate payment: order was already ${order.status}`,
      actor,
    );
  }

  /**
   * Records the capture; returns the attempt only to the one caller that moved it to CAPTURED (insert, or a FAILED
   * attempt captured later: late authorisation at the bank). Raw SQL: this runs for every payment.
   */
  private async claimCapture(
    tx: Tx,
    order: LockedOrder,
    payment: PaymentRow,
    capture: ProviderCapture,
  ): Promise<ClaimedAttempt | undefined> {
    const [inserted] = await tx.$queryRaw<(ClaimedAttempt | undefined)[]>`
      INSERT INTO payment_attempts (id, order_id, payment_id, provider, provider_payment_id, status, amount_minor, currency, captured_at, updated_at)
      VALUES (gen_random_uuid(), ${order.id}::uuid, ${payment.id}::uuid, ${payment.provider}, ${capture.providerPaymentId},
              'CAPTURED', ${capture.amountMinor}, ${capture.currency}, now(), now())
      ON CONFLICT (brand_id, provider, provider_payment_id) DO NOTHING
      RETURNING id::text, provider_payment_id AS "providerPaymentId", amount_minor AS "amountMinor", currency`;
    if (inserted) return inserted;
    const [claimed] = await tx.$queryRaw<(ClaimedAttempt | undefined)[]>`
      UPDATE payment_attempts
      SET status = 'CAPTURED', amount_minor = ${capture.amountMinor}, currency = ${capture.currency}, captured_at = now(),
          error_code = NULL, error_message = NULL, updated_at = now()
      WHERE provider = ${payment.provider} AND provider_payment_id = ${capture.providerPaymentId} AND captured_at IS NULL
      RETURNING id::text, provider_payment_id AS "providerPaymentId", amount_minor AS "amountMinor", currency`;
    return claimed;
  }

  private async markPaymentSucceeded(tx: Tx, payment: PaymentRow): Promise<void> {
    await tx.$executeRaw`UPDATE payments SET status = 'SUCCEEDED', updated_at = now() WHERE id = ${payment.id}::uuid`;
  }

  /**
   * Success after the order expired or was cancelled: sell from available stock if it is there and the customer's drop
   * limits allow it (meanwhile they may have bought up to the limit in another order), else refund it.
   */
  private async latePayment(tx: Tx, order: LockedOrder, payment: PaymentRow, attempt: ClaimedAttempt, actor: Actor): Promise<LedgerResult> {
    try {
      await this.transitions.apply(tx, order, 'LATE_PAYMENT_ACCEPTED', {
        actor,
        reason: `${payment.provider} payment ${attempt.providerPaymentId} arrived after the order was ${order.status}`,
      });
    } catch (error) {
      // The availability and limit checks throw before anything is written, so the transaction carries on.
      if (!(error instanceof InsufficientStockError || error instanceof DropLimitError)) throw error;
      const why = error instanceof DropLimitError ? `over the drop's limit (${error.message})` : 'stock no longer available';
      return this.refundUnapplied(
        tx,
        order,
        payment,
        attempt,
        UNAPPLIED_CAPTURE.latePaymentRefunded,
        `Late payment for ${order.status.toLowerCase()} order: ${why}`,
        actor,
        error.details,
      );
    }
    await this.markPaymentSucceeded(tx, payment);
    return done('late payment accepted: order paid');
  }

  /** Captured money that does not pay for the order goes back automatically: refund row now, provider call after commit. */
  private async refundUnapplied(
    tx: Tx,
    order: LockedOrder,
    payment: PaymentRow,
    attempt: ClaimedAttempt,
    code: string,
    reason: string,
    actor: Actor,
    details?: unknown,
  ): Promise<LedgerResult> {
    await this.markUnapplied(tx, attempt, code, reason);
    const refund = await this.insertRefund(tx, {
      orderId: order.id,
      paymentId: payment.id,
      attemptId: attempt.id,
      provider: payment.provider,
      providerRefundId: null,
      amountMinor: attempt.amountMinor,
      currency: attempt.currency,
      reason,
      automatic: true,
    });
    await this.audit.append(tx, {
      actor,
      action: 'refund.automatic_requested',
      entityType: 'order',
      entityId: order.id,
      after: {
        refundId: refund.id,
        providerPaymentId: attempt.providerPaymentId,
        amountMinor: refund.amountMinor,
        currency: refund.currency,
        reason,
        orderStatus: order.status,
        details,
      },
    });
    return done(`${reason}: automatic refund ${refund.id} requested`, [refund.id]);
  }

  private async markUnapplied(tx: Tx, attempt: ClaimedAttempt, code: string, message: string): Promise<void> {
    await tx.$executeRaw`
      UPDATE payment_attempts SET error_code = ${code}, error_message = ${message}, updated_at = now() WHERE id = ${attempt.id}::uuid`;
  }

  /**
   * Each failed attempt is recorded once. On an order still awaiting payment it is a PAYMENT_FAILED self-transition
   * (a history entry; the order stays PAYMENT_PENDING so the customer can retry until the reservation lapses). On any
   * other order it is only recorded: a failure never moves an order backwards.
   */
  private async failure(
    tx: Tx,
    order: LockedOrder,
    payment: PaymentRow,
    event: Extract<PaymentEvent, { type: 'payment.failed' }>,
    actor: Actor,
  ): Promise<LedgerResult> {
    const inserted = await tx.$executeRaw`
      INSERT INTO payment_attempts (id, order_id, payment_id, provider, provider_payment_id, status, amount_minor, currency, error_code,
                                    error_message, updated_at)
      VALUES (gen_random_uuid(), ${order.id}::uuid, ${payment.id}::uuid, ${payment.provider}, ${event.providerPaymentId}, 'FAILED',
              ${event.amountMinor}, ${event.currency}, ${event.errorCode ?? null}, ${event.errorMessage ?? null}, now())
      ON CONFLICT DO NOTHING`;
    if (!inserted) return done(`attempt ${event.providerPaymentId} already recorded`);
    const reason =
      `${payment.provider} payment ${event.providerPaymentId} ` +
      `failed${event.errorCode ? ` (${event.errorCode})` : ''}${event.errorMessage ? `: ${event.errorMessage}` : ''}`;
    if (order.status === 'PAYMENT_PENDING') {
      await this.transitions.apply(tx, order, 'PAYMENT_FAILED', { actor, reason });
      return done('payment failed: order still awaiting payment');
    }
    await this.audit.append(tx, {
      actor,
      action: 'payment.failure_recorded',
      entityType: 'order',
      entityId: order.id,
      after: { providerPaymentId: event.providerPaymentId, orderStatus: order.status, reason },
    });
    return done(`payment failure recorded; order stays ${order.status}`);
  }

  private async cancellation(tx: Tx, order: LockedOrder, payment: PaymentRow, actor: Actor): Promise<LedgerResult> {
    // Reread under the order lock: locate's read of the payment may predate the lock wait (READ COMMITTED).
    const [current] = await tx.$queryRaw<{ status: string }[]>`SELECT status::text FROM payments WHERE id = ${payment.id}::uuid`;
    if (current.status !== 'PENDING') return done(`payment ${payment.id} already ${current.status.toLowerCase()}`);
    await this.markCancelled(tx, order, payment.id, actor);
    return done('provider payment cancelled');
  }

  /**
   * A refund the provider reports. Ours are matched by the refund id we put in its metadata (so a refund whose
   * response was lost is still found) or by the provider id; one made at the provider (its dashboard) is recorded as
   * a new refund so our books keep matching the provider's.
   */
  private async refundUpdate(
    tx: Tx,
    order: LockedOrder,
    provider: PaymentMethod,
    observed: ProviderRefund,
    actor: Actor,
  ): Promise<LedgerResult> {
    const [attempt] = await tx.$queryRaw<(Pick<PaymentAttempt, 'id' | 'orderId' | 'paymentId'> | undefined)[]>`
      SELECT id::text, order_id::text AS "orderId", payment_id::text AS "paymentId" FROM payment_attempts
      WHERE provider = ${provider} AND provider_payment_id = ${observed.providerPaymentId}`;
    if (!attempt || attempt.orderId !== order.id) return done(`ignored: refund ${observed.providerRefundId} of an unknown payment`);
    const [ours] =
      observed.refundId && UUID_PATTERN.test(observed.refundId)
        ? await tx.$queryRaw<(Refund | undefined)[]>`
            SELECT ${refundColumns} FROM refunds WHERE id = ${observed.refundId}::uuid AND order_id = ${order.id}::uuid`
        : [];
    let row =
      ours ??
      (
        await tx.$queryRaw<(Refund | undefined)[]>`
          SELECT ${refundColumns} FROM refunds WHERE provider = ${provider} AND provider_refund_id = ${observed.providerRefundId}`
      )[0];
    if (!row) {
      if (observed.status === 'FAILED') return done(`ignored: failed refund ${observed.providerRefundId} that we never recorded`);
      row = await this.insertRefund(tx, {
        orderId: order.id,
        paymentId: attempt.paymentId,
        attemptId: attempt.id,
        provider,
        providerRefundId: observed.providerRefundId,
        amountMinor: observed.amountMinor,
        currency: observed.currency,
        reason: 'Refunded at the provider',
        automatic: false,
      });
      await this.audit.append(tx, {
        actor,
        action: 'refund.recorded_from_provider',
        entityType: 'order',
        entityId: order.id,
        after: { refundId: row.id, providerRefundId: observed.providerRefundId, amountMinor: row.amountMinor, currency: row.currency },
      });
    }
    return this.settleRefund(tx, order, row, observed, actor);
  }

  /** A new PENDING refund row. */
  private async insertRefund(
    tx: Tx,
    refund: Pick<
      Refund,
      'orderId' | 'paymentId' | 'attemptId' | 'provider' | 'providerRefundId' | 'amountMinor' | 'currency' | 'reason' | 'automatic'
    >,
  ): Promise<Refund> {
    const [row] = await tx.$queryRaw<Refund[]>`
      INSERT INTO refunds (id, order_id, payment_id, attempt_id, provider, provider_refund_id, amount_minor, currency, reason, automatic, updated_at)
      VALUES (gen_random_uuid(), ${refund.orderId}::uuid, ${refund.paymentId}::uuid, ${refund.attemptId}::uuid, ${refund.provider},
              ${refund.providerRefundId}, ${refund.amountMinor}, ${refund.currency}, ${refund.reason}, ${refund.automatic}, now())
      RETURNING ${refundColumns}`;
    return row;
  }

  /**
   * A confirmed refund of money that paid for the order moves it to REFUNDED once the refunds reach what was applied,
   * else to PARTIALLY_REFUNDED (order_payment_totals holds the rules).
   */
  private async applyRefundToOrder(tx: Tx, order: LockedOrder, row: Refund, actor: Actor): Promise<string> {
    const [money] = await tx.$queryRaw<{ ofApplied: boolean; applied: number; refunded: number }[]>`
      SELECT EXISTS (SELECT 1 FROM applied_captures WHERE id = ${row.attemptId}::uuid) AS "ofApplied",
             t.applied_minor AS applied, t.applied_refunded_minor AS refunded
      FROM order_payment_totals t WHERE t.order_id = ${order.id}::uuid`;
    if (!money.ofApplied) return '';
    const event = money.refunded >= money.applied ? 'REFUND_FULL' : 'REFUND_PARTIAL';
    if (!canTransition(order.status, event)) return `; order stays ${order.status}`;
    const { order: updated } = await this.transitions.apply(tx, order, event, {
      actor,
      reason: `refund ${row.id}: ${row.amountMinor} ${row.currency}${row.reason ? ` (${row.reason})` : ''}`,
    });
    return `; order ${updated.status}`;
  }
}
