import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { BrandsService } from '../brands/brands.service.js';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { EnvironmentVariables } from '../config/configuration.js';
import type { PaymentEnvironment } from './payment-config.js';
import { scheduleIntervalJob, type IntervalJob } from '../common/scheduling.js';
import { RefundsService } from './refunds.service.js';
import { PaymentsService } from './payments.service.js';

/** An unpaid provider payment of an expired or cancelled order is cancelled after this long (late success is still handled). */
const ABANDONED_AFTER_MS = 60_000;

/**
 * Every PAYMENT_RECOVERY_INTERVAL_SECONDS (when SCHEDULER_ENABLED): resumes refunds whose provider call never
 * completed (crash, timeout, outage), and cancels the provider payments of orders that expired or were cancelled
 * unpaid. Safe on every instance.
 */
@Injectable()
export class PaymentRecoveryJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PaymentRecoveryJob.name);
  private schedule?: IntervalJob;
  private running = false;

  constructor(
    private readonly brands: BrandsService,
    private readonly refunds: RefundsService,
    private readonly payments: PaymentsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService<EnvironmentVariables & PaymentEnvironment, true>,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule = scheduleIntervalJob(this.scheduler, this.config, {
      name: PaymentRecoveryJob.name,
      intervalMs: this.config.get('PAYMENT_RECOVERY_INTERVAL_SECONDS', { infer: true }) * 1000,
      run: () => this.run(),
      logger: this.logger,
      failureMessage: 'Payment recovery failed',
      brands: () => this.brands.jobBrandIds(),
    });
  }

  /** A run in progress finishes before the database disconnects (Nest calls this before onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.schedule?.stop();
  }

  /**
   * One round over rows untouched for `olderThanMs` (defaults: long enough that no request is still working on them).
   * Overlapping rounds in this instance are skipped.
   */
  async run(olderThanMs?: number): Promise<{ refundsResumed: number; paymentsCancelled: number }> {
    if (this.running) return { refundsResumed: 0, paymentsCancelled: 0 };
    this.running = true;
    try {
      const refundsResumed = await this.refunds.resumeStale(olderThanMs ?? this.refunds.staleAfterMs);
      const paymentsCancelled = await this.payments.cancelAbandonedPayments(olderThanMs ?? ABANDONED_AFTER_MS);
      if (refundsResumed || paymentsCancelled)
        this.logger.log(`Resumed ${refundsResumed} refund(s), handled ${paymentsCancelled} abandoned payment(s)`);
      return { refundsResumed, paymentsCancelled };
    } catch (error) {
      this.logger.error(`Payment recovery failed: ${(error as Error).message}`);
      return { refundsResumed: 0, paymentsCancelled: 0 };
    } finally {
      this.running = false;
    }
  }
}
