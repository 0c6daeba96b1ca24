import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { BrandsService } from '../brands/brands.service.js';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { SYSTEM_ACTOR } from '../common/actor.js';
import { scheduleIntervalJob, type IntervalJob } from '../common/scheduling.js';
import { OrderTransitionsService } from './order-transitions.service.js';
import { MetricsService } from '../ops/metrics.service.js';

const EXPIRY_REASON = 'reservation expired';

/**
 * Gives back the stock of prepaid orders nobody paid for in time: PAYMENT_PENDING orders past reservationExpiresAt
 * become EXPIRED through the state machine (RELEASE movements, history, audit), one batch per transaction sent straight
 * to its connection as prepared statements (`direct`: no ORM work on 500-row results, no plan per batch; it halved the
 * job's CPU), set-based (OrderTransitionsService.applyToClaimed: four statements per batch whatever its size). Each
 * batch claims its orders with FOR UPDATE SKIP LOCKED, so instances running the job at the same time share the work
 * instead of releasing anything twice, and an instance that dies mid-batch leaves its orders (rolled back) to the next
 * run. An order with a captured payment attempt is never expired: the money is in, and payment processing is about to
 * mark it paid. A capture flagged for review (error code set, e.g. an amount mismatch) did not pay for the order, so it
 * does not hold the stock: the order expires and an admin settles the money.
 *
 * EXPIRY_CONCURRENCY batches run at once (one lane each), at READ COMMITTED. Serializable is not needed because every
 * decision a batch takes is taken under a row lock it holds:
 * - the claim locks each order FOR UPDATE SKIP LOCKED; an order another transaction changed after the statement's
 *   snapshot is re-read under the lock and its status and due time tested again (PostgreSQL's recheck of a locked
 *   row), so a batch only ever moves orders that are PAYMENT_PENDING and due while it holds them; the UPDATE that
 *   moves them tests the status once more. An order whose lock another batch holds is skipped, one that batch already
 *   expired fails the recheck: every order is expired by exactly one batch.
 * - a capture of an order awaiting payment locks and updates the order row in its own transaction (PaymentTransactions),
 *   so a capture committed after the claim's snapshot fails the recheck (the order is no longer PAYMENT_PENDING), one
 *   in progress holds the lock (skipped), and one that comes later waits for the batch and finds the order EXPIRED
 *   (late payment). Captures committed before the snapshot are seen by the anti-join.
 * - stock moves by deltas on inventory rows the ledger locks in variant order (the alert reads the locked row), drop
 *   counters likewise in key order: two batches releasing the same variant add up, one after the other, and cannot
 *   deadlock. History, audit and outbox rows are inserts.
 * Under Serializable two batches releasing the same variant (every batch of a drop's lapsed reservations) abort each
 * other on the stock row; at READ COMMITTED the second waits for the first's commit and goes on.
 */
@Injectable()
export class ReservationExpiryJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReservationExpiryJob.name);
  private schedule?: IntervalJob;
  private stopping = false;
  private readonly batchSize: number;
  private readonly concurrency: number;

  constructor(
    private readonly brands: BrandsService,
    private readonly prisma: PrismaService,
    private readonly transitions: OrderTransitionsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService<EnvironmentVariables, true>,
    private readonly metrics: MetricsService,
  ) {
    this.batchSize = config.get('EXPIRY_BATCH_SIZE', { infer: true });
    this.concurrency = config.get('EXPIRY_CONCURRENCY', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.schedule = scheduleIntervalJob(this.scheduler, this.config, {
      name: ReservationExpiryJob.name,
      intervalMs: this.config.get('EXPIRY_INTERVAL_SECONDS', { infer: true }) * 1000,
      run: () => this.expireDue(),
      logger: this.logger,
      failureMessage: 'Reservation expiry failed',
      brands: () => this.brands.jobBrandIds(),
    });
  }

  /** The batch in progress commits, no further batch starts, and only then may the database disconnect. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.schedule?.stop();
  }

  /** Expires every order due at `asOf`, batch after batch in EXPIRY_CONCURRENCY lanes. Returns how many this call expired. */
  async expireDue(asOf = new Date()): Promise<number> {
    const lanes = await Promise.all(Array.from({ length: this.concurrency }, () => this.expireLane(asOf)));
    const expired = lanes.reduce((sum, n) => sum + n, 0);
    if (expired) this.logger.log(`Expired ${expired} unpaid order(s)`);
    return expired;
  }

  /** Batches one after another until one comes back short. */
  private async expireLane(asOf: Date): Promise<number> {
    let expired = 0;
    for (;;) {
      const count = await this.expireBatch(asOf);
      this.metrics.reservationsExpired(count);
      expired += count;
      // A short batch means nothing more is due, or the rest is locked by another lane or run that will finish it.
      if (count < this.batchSize || this.stopping) return expired;
    }
  }

  private async expireBatch(asOf: Date): Promise<number> {
    return this.prisma.serializable(
      async (tx) => {
        // The batch's commit does not wait for its WAL to reach disk: a crash can only lose a whole batch (one
        // transaction, its outbox rows included), whose orders are then still due and expire on the next run (an
        // announcement already delivered from it would go out again, as at-least-once delivery allows).
        // The batch's rows are a few hundred scattered over the stock and catalogue tables, all in memory: a lookup per
        // row is the cheap plan, but at the default random_page_cost (4, for spinning disks) the planner reads whole
        // tables into hash joins instead, in the ledger write's first plans and in its live-stock trigger, whose plan the
        // connection keeps (the two: 32 ms instead of 19 for 500 variants). This transaction only.
        await tx.$executeRaw`SELECT set_config('synchronous_commit', 'off', true), set_config('random_page_cost', '1.1', true)`;
        return this.transitions.applyToClaimed(
          tx,
          'PAYMENT_PENDING',
          Prisma.sql`
          SELECT o.id FROM orders o
          WHERE o.status = 'PAYMENT_PENDING' AND o.reservation_expires_at <= ${asOf}
            AND NOT EXISTS (SELECT 1 FROM applied_captures a WHERE a.order_id = o.id)
          ORDER BY o.reservation_expires_at
          LIMIT ${this.batchSize}
          FOR UPDATE OF o SKIP LOCKED`,
          'EXPIRE',
          { actor: SYSTEM_ACTOR, reason: EXPIRY_REASON },
        );
      },
      { direct: true, isolation: 'readCommitted' },
    );
  }
}
