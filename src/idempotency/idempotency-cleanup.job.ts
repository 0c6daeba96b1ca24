import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { BrandsService } from '../brands/brands.service.js';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { EnvironmentVariables } from '../config/configuration.js';
import { scheduleIntervalJob, type IntervalJob } from '../common/scheduling.js';
import { IdempotencyService } from './idempotency.service.js';

const CLEANUP_INTERVAL_MS = 15 * 60 * 1000;

/** Deletes idempotency keys older than 24 hours every 15 minutes (when SCHEDULER_ENABLED). Safe on every instance. */
@Injectable()
export class IdempotencyCleanupJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyCleanupJob.name);
  private schedule?: IntervalJob;

  constructor(
    private readonly brands: BrandsService,
    private readonly idempotency: IdempotencyService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService<EnvironmentVariables, true>,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule = scheduleIntervalJob(this.scheduler, this.config, {
      name: IdempotencyCleanupJob.name,
      intervalMs: CLEANUP_INTERVAL_MS,
      run: () => this.idempotency.deleteExpired(),
      logger: this.logger,
      failureMessage: 'Idempotency key cleanup failed',
      brands: () => this.brands.jobBrandIds(),
    });
  }

  /** A run in progress finishes before the database disconnects (Nest calls this before onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.schedule?.stop();
  }
}
