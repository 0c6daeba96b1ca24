import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { EnvironmentVariables } from '../../config/configuration.js';
import { IdempotencyService } from './idempotency.service.js';

const CLEANUP_INTERVAL_MS = 15 * 60 * 1000;

/** Deletes idempotency keys older than 24 hours every 15 minutes (when SCHEDULER_ENABLED). Safe on every instance. */
@Injectable()
export class IdempotencyCleanupJob implements OnApplicationBootstrap {
  private readonly logger = new Logger(IdempotencyCleanupJob.name);
  private running = false;

  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService<EnvironmentVariables, true>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.get('SCHEDULER_ENABLED', { infer: true })) return;
    this.scheduler.addInterval(IdempotencyCleanupJob.name, setInterval(() => void this.tick(), CLEANUP_INTERVAL_MS));
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.idempotency.deleteExpired();
    } catch (error) {
      this.logger.error(`Idempotency key cleanup failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
