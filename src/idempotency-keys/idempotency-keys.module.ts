import { Module } from '@nestjs/common';
import { IdempotencyKeysController } from './idempotency-keys.controller.js';
import { IdempotencyKeysService } from './idempotency-keys.service.js';

/** Admin routes for idempotency keys left in progress (GET /admin/idempotency-keys, resolve). */
@Module({ controllers: [IdempotencyKeysController], providers: [IdempotencyKeysService] })
export class IdempotencyKeysModule {}
