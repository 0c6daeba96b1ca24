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
 * become EXPIRED through the state machine (RELEASE movements, history, audit), one batch per Serializable
 * transaction sent straight to its connection as prepared statements (`direct`: no ORM work on 500-row results, no
 * plan per batch; it halved the job's CPU), set-based (OrderTransitionsService.applyToClaimed: four statements per batch whatever its size). Each batch claims its orders with FOR UPDATE SKIP LOCKED, so instances running the job at the same
 * time share the work instead of releasing anything twice, and an instance that dies mid-batch leaves its orders
 * (rolled back) to the next run. An order with a captured payment attempt is never expired: the money is in, and
 * payment processing is about to mark it paid. A capture flagged for review (error code set, e.g. an amount
 * mismatch) did not pay for the order, so it does not hold the stock: the order expires and an admin settles the money.
 */
@Injectable()
export class ReservationExpiryJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReservationExpiryJob.name);
  private schedule?: IntervalJob;
  private stopping = false;
  private readonly batchSize: number;

  constructor(
    private readonly brands: BrandsService,
    private readonly prisma: PrismaService,
    private readonly transitions: OrderTransitionsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService<EnvironmentVariables, true>,
    private readonly metrics: MetricsService,
  ) {
    this.batchSize = config.get('EXPIRY_BATCH_SIZE', { infer: true });
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

  /** Expires every order due at `asOf`, batch after batch. Returns how many this call expired. */
  async expireDue(asOf = new Date()): Promise<number> {
    let expired = 0;
    for (;;) {
      const count = await this.expireBatch(asOf);
      this.metrics.reservationsExpired(count);
      expired += count;
      // A short batch means nothing more is due, or the rest is locked by another run that will finish it.
      if (count < this.batchSize || this.stopping) break;
    }
    if (expired) this.logger.log(`Expired ${expired} unpaid order(s)`);
    return expired;
  }

  private async expireBatch(asOf: Date): Promise<number> {
    return this.prisma.serializable(
      async (tx) => {
        // The batch's commit does not wait for its WAL to reach disk: a crash can only lose a whole batch (one
        // transaction, its outbox rows included), whose orders are then still due and expire on the next run (an
        // announcement already delivered from it would go out again, as at-least-once delivery allows).
        await tx.$executeRaw`SELECT set_config('synchronous_commit', 'off', true)`;
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
      { direct: true },
    );
  }
}
