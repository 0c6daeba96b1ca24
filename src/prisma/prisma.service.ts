import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaClient, Prisma } from '../generated/prisma/client.js';
import { TransactionConflictError } from '../common/errors/domain-errors.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { isRetryableTransactionError, retryDelayMs } from './transaction-retry.js';
import { createPgAdapter } from './pg-adapter.js';

export type Tx = Prisma.TransactionClient;

export interface SerializableOptions {
  /** Attempts before giving up with TransactionConflictError (default TX_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

/** The one database client of the app. Every module injects this; only services open transactions. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly logger = new Logger(PrismaService.name);
  private readonly maxAttempts: number;

  constructor(config: ConfigService<EnvironmentVariables, true>) {
    const url = config.get('DATABASE_URL', { infer: true });
    if (!url) throw new Error('DATABASE_URL is not set: start the app through main.ts or the test setup');
    super({
      adapter: createPgAdapter({
        connectionString: url,
        max: config.get('DB_POOL_SIZE', { infer: true }),
        connectionTimeoutMillis: 5_000,
      }),
    });
    this.maxAttempts = config.get('TX_MAX_ATTEMPTS', { infer: true });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }

  /**
   * Runs `work` in a Serializable interactive transaction, retrying the whole callback on serialization
   * failures and deadlocks (40001, 40P01) with jittered exponential backoff. `work` must therefore have no
   * effects outside the transaction. After the last attempt the caller gets TransactionConflictError (409).
   */
  async serializable<T>(work: (tx: Tx) => Promise<T>, options: SerializableOptions = {}): Promise<T> {
    const maxAttempts = options.maxAttempts ?? this.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.$transaction(work, {
          isolationLevel: Prisma.TransactionIsolationLevel.Serializable,
          maxWait: 15_000,
          timeout: 30_000,
        });
      } catch (error) {
        if (!isRetryableTransactionError(error)) throw error;
        if (attempt >= maxAttempts) {
          this.logger.warn(`Serializable transaction gave up after ${attempt} attempts`);
          throw new TransactionConflictError(attempt);
        }
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
      }
    }
  }
}
