import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type pg from 'pg';
import { PrismaClient, Prisma } from '../generated/prisma/client.js';
import { TransactionConflictError } from '../common/errors/domain-errors.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { isRetryableTransactionError, retryDelayMs } from './transaction-retry.js';
import { createPgAdapter, type WithConnection } from './pg-adapter.js';
import { directStatements, directTransaction, type Isolation, type RawStatements } from './direct-sql.js';
import { collectAfterCommit } from './after-commit.js';
import { DEFAULT_BRAND_ID } from '../common/context/brand-context.js';
import { DEFAULT_APP_ROLE } from '../config/configuration.js';

export type Tx = Prisma.TransactionClient;

export interface SerializableOptions {
  /** Attempts before giving up with TransactionConflictError (default TX_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /**
   * A transaction of raw statements only ($queryRaw, $executeRaw), sent straight to its connection without the ORM
   * (direct-sql.ts): for hot paths. Through Prisma until the first query has opened the pool.
   */
  direct?: boolean;
  /**
   * Serializable unless set: READ COMMITTED only for work whose every decision is taken under a row lock it holds or
   * a unique constraint (the payment transactions: PaymentTransactions says why that is enough).
   */
  isolation?: Isolation;
  /**
   * With `direct`: every statement of `work` finds its rows by key, so its prepared statements run on generic plans
   * instead of being planned again on each execution, and no table is scanned whole (direct-sql.ts, KEYED_PLANS).
   */
  keyedPlans?: boolean;
}

const appRole = (configured: string) => (configured === 'none' ? '' : configured);

/** The one database client of the app. Every module injects this; only services open transactions. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PrismaService.name);
  private readonly maxAttempts: number;
  private pool?: pg.Pool;
  private withConnection?: WithConnection;
  private directOnPool?: RawStatements;

  constructor(config: ConfigService<EnvironmentVariables, true>) {
    const url = config.get('DATABASE_URL', { infer: true });
    if (!url) throw new Error('DATABASE_URL is not set: start the app through main.ts or the test setup');
    // One bound on waiting for a connection, whichever way a request asks for one: a query waits in the pg pool, a
    // transaction in the pool under Prisma's maxWait. Past it the request fails with 503 and Retry-After.
    const connectionWaitMs = config.get('DB_CONNECTION_WAIT_MS', { infer: true });
    super({
      transactionOptions: { maxWait: connectionWaitMs },
      adapter: createPgAdapter(
        {
          connectionString: url,
          max: config.get('DB_POOL_SIZE', { infer: true }),
          connectionTimeoutMillis: connectionWaitMs,
          // The server ends a transaction this app left open (a bug, a lost client) instead of letting it hold its row
          // locks, and with them every checkout of those variants, for ever. Transactions time out at 30 s anyway.
          idle_in_transaction_session_timeout: 60_000,
        },
        {
          // Config built by hand (tests' fixture clients) may leave it out: then the default of EnvironmentVariables.
          appRole: appRole(config.get('DB_APP_ROLE', DEFAULT_APP_ROLE, { infer: true })),
          fallbackBrandId: DEFAULT_BRAND_ID,
        },
        (pool, withConnection: WithConnection) => {
          this.pool = pool;
          this.withConnection = withConnection;
          this.directOnPool = directStatements(withConnection);
        },
      ),
    });
    this.maxAttempts = config.get('TX_MAX_ATTEMPTS', { infer: true });
  }

  /**
   * Last of all: Nest closes the HTTP server and every job drains in beforeApplicationShutdown first (a job that still
   * wrote after the pool closed would lose its outcome, or open a new pool).
   */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }

  /**
   * Whether row-level security applies to the role queries run as (not a superuser, no BYPASSRLS, not the owner of the
   * brand tables). When it does not, brands are kept apart by the queries' brand only: the app warns at start.
   */
  async rowSecurityApplies(): Promise<boolean> {
    const rows = await this.$queryRaw<{ applies: boolean }[]>`
      SELECT NOT (r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, c.relowner, 'USAGE')) AS applies
      FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'orders'::regclass`;
    return rows.some((row) => row.applies);
  }

  /** Says so at start when the database would not keep brands apart (README "Brands", who RLS applies to). */
  async onApplicationBootstrap(): Promise<void> {
    const applies = await this.rowSecurityApplies().catch(() => true); // an unreachable database is reported elsewhere
    if (!applies)
      this.logger.warn(
        "Row-level security does not apply to the database role the app runs as (a superuser, BYPASSRLS or the tables' owner): " +
          'create the role orderline_app (README "Brands") or connect as a role that is neither',
      );
  }

  /**
   * Raw statements outside a transaction, sent straight to a pool connection of the current brand (direct-sql.ts), for
   * hot paths; through Prisma until the first query has opened the pool.
   */
  get direct(): RawStatements {
    return this.directOnPool ?? this;
  }

  /** Connections of the pg pool behind Prisma (for metrics); undefined until the first query opens the pool. */
  poolStats(): { total: number; idle: number; waiting: number; max: number } | undefined {
    const pool = this.pool;
    return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max };
  }

  /**
   * Runs `work` in a Serializable interactive transaction, retrying the whole callback on serialization
   * failures and deadlocks (40001, 40P01) with jittered exponential backoff. `work` must therefore have no
   * effects outside the transaction (register those with `afterCommit(tx, ...)`: they run once, after the commit).
   * After the last attempt the caller gets TransactionConflictError (409).
   */
  async serializable<T>(work: (tx: Tx) => Promise<T>, options: SerializableOptions = {}): Promise<T> {
    const maxAttempts = options.maxAttempts ?? this.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      try {
        let committed: (() => void)[] = [];
        const run = (tx: Tx) => ((committed = collectAfterCommit(tx)), work(tx));
        const direct = options.direct ? this.withConnection : undefined;
        const result = direct
          ? await direct((client) => directTransaction(client, run, options))
          : await this.$transaction(run, {
              isolationLevel:
                options.isolation === 'readCommitted'
                  ? Prisma.TransactionIsolationLevel.ReadCommitted
                  : Prisma.TransactionIsolationLevel.Serializable,
              timeout: 30_000,
            });
        for (const callback of committed) {
          try {
            callback();
          } catch (error) {
            this.logger.warn(`After-commit callback failed: ${(error as Error).message}`);
          }
        }
        return result;
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
