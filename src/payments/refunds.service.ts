import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Prisma, type Refund } from '../generated/prisma/client.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import type { PaymentEnvironment } from './payment-config.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import { SYSTEM_ACTOR, type Actor } from '../common/actor.js';
import { InvalidInputError, NotFoundError, UnprocessableError } from '../common/errors/domain-errors.js';
import { OrderTransitionsService, type LockedOrder } from '../orders/order-transitions.service.js';
import { PaymentLedger } from './payment-ledger.service.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentTransactions } from './payment-transactions.js';
import { ProviderRejectedError, type ProviderRefund } from './payment-provider.js';
import { IdempotencyKeyReleasedError } from '../idempotency/idempotency.service.js';
import { isForeignKeyViolation } from '../prisma/database-errors.js';

export interface RefundRequest {
  /** Default: everything still refundable. */
  amountMinor?: number;
  reason: string;
  /** Refund this captured payment only (e.g. a mismatched capture in another currency). */
  paymentAttemptId?: string;
  /** The request's claimed Idempotency-Key, stored on the refund rows (a fence: see IdempotencyService). */
  idempotencyKeyId?: string;
}

/** A captured attempt with what it has left to refund (a row of capture_balances). */
interface CaptureBalance {
  attemptId: string;
  orderId: string;
  paymentId: string | null;
  provider: string;
  currency: string;
  left: number;
}

export interface RefundOutcome {
  orderId: string;
  orderStatus: string;
  refunds: Refund[];
}

/**
 * Refunds go out in three steps so a crash at any point is recoverable and nothing is refunded twice:
 * 1. a PENDING refund row (its id is the provider idempotency key) is committed with the order locked, bounded by
 *    captured − (refunded + pending);
 * 2. the provider is called outside any transaction;
 * 3. its answer (or a later webhook, or the recovery job's re-send with the same key) settles the row.
 */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger(RefundsService.name);
  /** A PENDING refund untouched this long has lost its provider call (crash, timeout) and is resumed. */
  readonly staleAfterMs: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: PaymentTransactions,
    private readonly providers: PaymentProviders,
    private readonly ledger: PaymentLedger,
    private readonly transitions: OrderTransitionsService,
    private readonly audit: AuditService,
    config: ConfigService<EnvironmentVariables & PaymentEnvironment, true>,
  ) {
    this.staleAfterMs = Math.max(60_000, 3 * config.get('PAYMENT_PROVIDER_TIMEOUT_MS', { infer: true }));
  }

  async requestRefund(orderId: string, request: RefundRequest, actor: Actor): Promise<RefundOutcome> {
    const refundIds = await this.transactions
      .run(async (tx) => {
        const order = await this.transitions.lockOrder(tx, orderId);
        // What each capture has left to refund (capture_balances holds the rule): the money that paid for the order is
        // refunded first, then captures that did not (kept for review).
        const captures = await tx.$queryRaw<CaptureBalance[]>`
        SELECT attempt_id AS "attemptId", order_id AS "orderId", payment_id AS "paymentId", provider, currency, refundable_minor AS "left"
        FROM capture_balances
        WHERE order_id = ${orderId}::uuid
          AND ${request.paymentAttemptId ? Prisma.sql`attempt_id = ${request.paymentAttemptId}::uuid` : Prisma.sql`currency = ${order.currency}`}
        ORDER BY NOT applied, captured_at`;
        if (request.paymentAttemptId && !captures.length) throw new NotFoundError('Captured payment attempt', request.paymentAttemptId);
        const open = captures.filter((c) => c.left > 0);
        const refundable = open.reduce((sum, o) => sum + o.left, 0);
        const currency = open[0]?.currency ?? order.currency;
        if (!refundable) throw new UnprocessableError('Nothing left to refund on this order', { refundableMinor: 0, currency });
        const amount = request.amountMinor ?? refundable;
        if (amount > refundable)
          throw new UnprocessableError(`Refund of ${amount} exceeds the ${refundable} ${currency} still refundable`, {
            refundableMinor: refundable,
            currency,
          });

        const rows: Refund[] = [];
        let remaining = amount;
        for (const capture of open) {
          if (!remaining) break;
          const take = Math.min(capture.left, remaining);
          remaining -= take;
          rows.push(await this.createRow(tx, capture, take, request));
        }
        await this.audit.record(tx, {
          actor,
          action: 'refund.requested',
          entityType: 'order',
          entityId: order.id,
          after: { refundIds: rows.map((r) => r.id), amountMinor: amount, currency, reason: request.reason, orderStatus: order.status },
        });
        return rows.map((r) => r.id);
      })
      .catch((error: unknown) => {
        if (isForeignKeyViolation(error, 'refunds_idempotency_key_id_fkey')) throw new IdempotencyKeyReleasedError();
        throw error;
      });
    const refusals = await this.send(refundIds, actor);
    const refunds = await this.prisma.refund.findMany({ where: { id: { in: refundIds } }, orderBy: { createdAt: 'asc' } });
    if (refusals.length === refundIds.length)
      throw new UnprocessableError(`The provider refused the refund: ${refusals.join('; ')}`, { refundIds });
    const order = await this.prisma.order.findUniqueOrThrow({ where: { id: orderId }, select: { status: true } });
    return { orderId, orderStatus: order.status, refunds };
  }

  /**
   * Calls the provider for PENDING refund rows (new ones, or ones whose earlier call was lost) and settles them. The
   * row id is the idempotency key, so a repeated call never refunds twice. An unreachable provider leaves the row
   * PENDING for the recovery job. Returns the providers' refusals.
   */
  async send(refundIds: string[], actor: Actor): Promise<string[]> {
    const refusals: string[] = [];
    for (const id of refundIds) {
      try {
        const refusal = await this.sendOne(id, actor);
        if (refusal) refusals.push(refusal);
      } catch (error) {
        // The row stays PENDING; the recovery job resumes it with the same idempotency key.
        this.logger.warn(`Refund ${id} not settled (${(error as Error).message}); it will be resumed`);
      }
    }
    return refusals;
  }

  /**
   * Resumes PENDING refunds nobody has touched for a while. Claiming bumps updated_at under SKIP LOCKED, so several
   * instances never pick the same row in one round (and the idempotency key makes a double send harmless anyway).
   */
  async resumeStale(olderThanMs: number, limit = 50): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanMs);
    const claimed = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE refunds SET updated_at = now() WHERE id IN (
        SELECT id FROM refunds WHERE status = 'PENDING' AND updated_at <= ${cutoff} ORDER BY updated_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id::text`;
    await this.send(
      claimed.map((r) => r.id),
      SYSTEM_ACTOR,
    );
    return claimed.length;
  }

  /** Returns the provider's refusal message, if it refused. Provider outages propagate (the row stays PENDING). */
  private async sendOne(id: string, actor: Actor): Promise<string | undefined> {
    const row = await this.prisma.refund.findUnique({ where: { id }, include: { attempt: true, payment: true } });
    if (!row || row.status !== 'PENDING' || !row.attempt) return undefined;
    const provider = this.providers.get(row.provider);
    // A refund the provider already knows is only looked up: a failed lookup proves nothing, so it never fails the row.
    if (row.providerRefundId) {
      const observed = await provider.fetchRefund({
        providerRefundId: row.providerRefundId,
        providerPaymentId: row.attempt.providerPaymentId,
      });
      await this.settle(row.orderId, id, (tx, order, fresh) => this.ledger.settleRefund(tx, order, fresh, observed, actor));
      return undefined;
    }
    let observed: ProviderRefund;
    try {
      observed = await provider.refund({
        refundId: row.id,
        orderId: row.orderId,
        paymentRef: row.payment?.providerRef ?? row.attempt.providerPaymentId,
        providerPaymentId: row.attempt.providerPaymentId,
        amountMinor: row.amountMinor,
        currency: row.currency,
        reason: row.reason ?? undefined,
      });
    } catch (error) {
      // Refused outright (4xx, or an amount the provider cannot represent): nothing was refunded.
      if (!(error instanceof ProviderRejectedError || error instanceof InvalidInputError)) throw error;
      await this.settle(row.orderId, id, (tx, order, fresh) => this.ledger.rejectRefund(tx, order, fresh, error.message, actor));
      return error.message;
    }
    await this.settle(row.orderId, id, (tx, order, fresh) => this.ledger.settleRefund(tx, order, fresh, observed, actor));
    return undefined;
  }

  private async createRow(
    tx: Tx,
    capture: CaptureBalance,
    amountMinor: number,
    { reason, idempotencyKeyId }: RefundRequest,
  ): Promise<Refund> {
    return tx.refund.create({
      data: {
        orderId: capture.orderId,
        paymentId: capture.paymentId,
        attemptId: capture.attemptId,
        provider: capture.provider,
        amountMinor,
        currency: capture.currency,
        reason,
        idempotencyKeyId,
      },
    });
  }

  /** Runs `work` on the refund row with its order locked, in its own Serializable transaction. */
  private async settle(
    orderId: string,
    refundId: string,
    work: (tx: Tx, order: LockedOrder, row: Refund) => Promise<unknown>,
  ): Promise<void> {
    await this.transactions.run(async (tx) => {
      const order = await this.transitions.lockOrder(tx, orderId);
      await work(tx, order, await tx.refund.findUniqueOrThrow({ where: { id: refundId } }));
    });
  }
}
