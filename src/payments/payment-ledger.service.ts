import { Injectable } from '@nestjs/common';
import type { Order, Payment, PaymentAttempt, Refund } from '../generated/prisma/client.js';
import type { PaymentMethod } from '../orders/payment-gateway.js';
import type { Tx } from '../prisma/prisma.service.js';
import type { Actor } from '../common/actor.js';
import { UUID_PATTERN } from '../common/uuid.js';
import { AuditService } from '../audit/audit.service.js';
import { InsufficientStockError } from '../inventory/stock-shortage.js';
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

/**
 * Applies provider-neutral payment events to our books inside the caller's Serializable transaction. Every path locks
 * the order row first, so all money effects on one order are serialised, and each capture is claimed exactly once
 * through the unique (provider, provider_payment_id) attempt row: only the claimer moves the order.
 */
@Injectable()
export class PaymentLedger {
  constructor(
    private readonly transitions: OrderTransitionsService,
    private readonly audit: AuditService,
  ) {}

  async apply(tx: Tx, provider: PaymentMethod, event: PaymentEvent, actor: Actor): Promise<LedgerResult> {
    const paymentRef = event.type === 'refund.updated' ? (event.paymentRef ?? event.capture?.paymentRef) : event.paymentRef;
    const located = await this.locate(tx, provider, paymentRef, event.orderId);
    if (!located) return done(`ignored: no order for ${provider} payment ${paymentRef ?? '(none)'}`);
    const { order, payment } = located;
    switch (event.type) {
      case 'payment.captured': {
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

  /** Applies events in order (one transaction: the caller's) and collects the refunds they scheduled; results joined by '; '. */
  async applyAll(tx: Tx, provider: PaymentMethod, events: PaymentEvent[], actor: Actor): Promise<LedgerResult> {
    const results: string[] = [];
    const refundsToSend: string[] = [];
    for (const event of events) {
      const applied = await this.apply(tx, provider, event, actor);
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
    await tx.payment.update({ where: { id: paymentId }, data: { status: 'CANCELLED' } });
    await this.audit.record(tx, {
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
      if (!row.providerRefundId) await tx.refund.update({ where: { id: row.id }, data: { providerRefundId: observed.providerRefundId } });
      return done(`refund ${row.id} pending at provider`);
    }
    await tx.refund.update({ where: { id: row.id }, data: { status: observed.status, providerRefundId: observed.providerRefundId } });
    await this.audit.record(tx, {
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
    await tx.refund.update({ where: { id: row.id }, data: { status: 'FAILED' } });
    await this.audit.record(tx, {
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
    await tx.order.update({ where: { id: order.id }, data: { needsReview: true } });
    await this.audit.record(tx, {
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
  ): Promise<{ order: LockedOrder; payment: PaymentRow } | undefined> {
    if (!paymentRef) return undefined;
    // The payment, and its order locked and read with its items, in one statement (this runs for every webhook).
    const [found] = await tx.$queryRaw<
      ((LockedOrder & { paymentId: string; paymentProvider: string; paymentStatus: Payment['status'] }) | undefined)[]
    >`
      SELECT p.id::text AS "paymentId", p.provider AS "paymentProvider", p.status::text AS "paymentStatus",
             ${orderColumns('o')}, ${orderItemsColumn('o.id')}
      FROM payments p JOIN orders o ON o.id = p.order_id
      WHERE p.provider = ${provider} AND p.provider_ref = ${paymentRef}
      FOR UPDATE OF o`;
    if (found) {
      const { paymentId, paymentProvider, paymentStatus, ...order } = found;
      return { order, payment: { id: paymentId, orderId: order.id, provider: paymentProvider, status: paymentStatus } };
    }
    const orderId = orderIdHint && UUID_PATTERN.test(orderIdHint) ? orderIdHint : undefined;
    if (!orderId || !(await tx.order.findUnique({ where: { id: orderId }, select: { id: true } }))) return undefined;
    const order = await this.transitions.lockOrder(tx, orderId);
    const unfinished = await tx.payment.findFirst({ where: { orderId, provider, providerRef: null }, orderBy: { createdAt: 'desc' } });
    const adopted = unfinished
      ? await tx.payment.update({ where: { id: unfinished.id }, data: { providerRef: paymentRef } })
      : await tx.payment.create({
          data: { orderId, provider, providerRef: paymentRef, amountMinor: order.totalMinor, currency: order.currency },
        });
    return { order, payment: adopted };
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
    const matches = capture.amountMinor === order.totalMinor && capture.currency === order.currency;
    if (!matches) {
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

  /** Success after the order expired or was cancelled: sell from available stock if it is there, else refund it. */
  private async latePayment(tx: Tx, order: LockedOrder, payment: PaymentRow, attempt: ClaimedAttempt, actor: Actor): Promise<LedgerResult> {
    try {
      await this.transitions.apply(tx, order, 'LATE_PAYMENT_ACCEPTED', {
        actor,
        reason: `${payment.provider} payment ${attempt.providerPaymentId} arrived after the order was ${order.status}`,
      });
    } catch (error) {
      // The availability check throws before anything is written, so the transaction carries on.
      if (!(error instanceof InsufficientStockError)) throw error;
      return this.refundUnapplied(
        tx,
        order,
        payment,
        attempt,
        UNAPPLIED_CAPTURE.latePaymentRefunded,
        `Late payment for ${order.status.toLowerCase()} order: stock no longer available`,
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
    const refund = await tx.refund.create({
      data: {
        orderId: order.id,
        paymentId: payment.id,
        attemptId: attempt.id,
        provider: payment.provider,
        amountMinor: attempt.amountMinor,
        currency: attempt.currency,
        reason,
        automatic: true,
      },
    });
    await this.audit.record(tx, {
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
    await tx.paymentAttempt.update({ where: { id: attempt.id }, data: { errorCode: code, errorMessage: message } });
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
    const inserted = await tx.paymentAttempt.createMany({
      data: [
        {
          orderId: order.id,
          paymentId: payment.id,
          provider: payment.provider,
          providerPaymentId: event.providerPaymentId,
          status: 'FAILED',
          amountMinor: event.amountMinor,
          currency: event.currency,
          errorCode: event.errorCode ?? null,
          errorMessage: event.errorMessage ?? null,
        },
      ],
      skipDuplicates: true,
    });
    if (!inserted.count) return done(`attempt ${event.providerPaymentId} already recorded`);
    const reason =
      `${payment.provider} payment ${event.providerPaymentId} ` +
      `failed${event.errorCode ? ` (${event.errorCode})` : ''}${event.errorMessage ? `: ${event.errorMessage}` : ''}`;
    if (order.status === 'PAYMENT_PENDING') {
      await this.transitions.apply(tx, order, 'PAYMENT_FAILED', { actor, reason });
      return done('payment failed: order still awaiting payment');
    }
    await this.audit.record(tx, {
      actor,
      action: 'payment.failure_recorded',
      entityType: 'order',
      entityId: order.id,
      after: { providerPaymentId: event.providerPaymentId, orderStatus: order.status, reason },
    });
    return done(`payment failure recorded; order stays ${order.status}`);
  }

  private async cancellation(tx: Tx, order: LockedOrder, payment: PaymentRow, actor: Actor): Promise<LedgerResult> {
    if (payment.status !== 'PENDING') return done(`payment ${payment.id} already ${payment.status.toLowerCase()}`);
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
    const attempt = await tx.paymentAttempt.findFirst({ where: { provider, providerPaymentId: observed.providerPaymentId } });
    if (!attempt || attempt.orderId !== order.id) return done(`ignored: refund ${observed.providerRefundId} of an unknown payment`);
    const ours =
      observed.refundId && UUID_PATTERN.test(observed.refundId)
        ? await tx.refund.findFirst({ where: { id: observed.refundId, orderId: order.id } })
        : null;
    let row = ours ?? (await tx.refund.findFirst({ where: { provider, providerRefundId: observed.providerRefundId } }));
    if (!row) {
      if (observed.status === 'FAILED') return done(`ignored: failed refund ${observed.providerRefundId} that we never recorded`);
      row = await tx.refund.create({
        data: {
          orderId: order.id,
          paymentId: attempt.paymentId,
          attemptId: attempt.id,
          provider,
          providerRefundId: observed.providerRefundId,
          amountMinor: observed.amountMinor,
          currency: observed.currency,
          reason: 'Refunded at the provider',
        },
      });
      await this.audit.record(tx, {
        actor,
        action: 'refund.recorded_from_provider',
        entityType: 'order',
        entityId: order.id,
        after: { refundId: row.id, providerRefundId: observed.providerRefundId, amountMinor: row.amountMinor, currency: row.currency },
      });
    }
    return this.settleRefund(tx, order, row, observed, actor);
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
