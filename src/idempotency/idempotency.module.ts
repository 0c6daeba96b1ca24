import { Module } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service.js';
import { IdempotencyCleanupJob } from './idempotency-cleanup.job.js';

/** Imported by the modules whose controllers put @Idempotent() on POST routes (its interceptor needs the service). */
@Module({ providers: [IdempotencyService, IdempotencyCleanupJob], exports: [IdempotencyService] })
export class IdempotencyModule {}
