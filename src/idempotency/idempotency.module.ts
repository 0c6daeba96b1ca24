import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module.js';
import { IdempotencyService } from './idempotency.service.js';
import { IdempotencyCleanupJob } from './idempotency-cleanup.job.js';

/** Imported by the modules whose controllers put @Idempotent() on POST routes (its interceptor needs the service). */
@Module({ imports: [BrandsModule], providers: [IdempotencyService, IdempotencyCleanupJob], exports: [IdempotencyService] })
export class IdempotencyModule {}
