import { Global, Module } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service.js';
import { IdempotencyCleanupJob } from './idempotency-cleanup.job.js';

/** Global so any module's controller can put @Idempotent() on its POST routes. */
@Global()
@Module({ providers: [IdempotencyService, IdempotencyCleanupJob], exports: [IdempotencyService] })
export class IdempotencyModule {}
