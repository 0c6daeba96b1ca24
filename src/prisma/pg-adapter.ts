import { AsyncLocalStorage } from 'node:async_hooks';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { isRetryableTransactionError } from './transaction-retry.js';

type Query = { sql: string };
type PgTx = {
  executeRaw(q: Query): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  client: pg.PoolClient;
  /** Removes the adapter's per-transaction 'error' listener from the client. */
  cleanup?: () => void;
};

const ISOLATION_LEVELS = new Set(['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE']);
/** The isolation level of the transaction whose BEGIN is about to be sent from this async context. */
const beginIsolation = new AsyncLocalStorage<string>();

/**
 * The pg driver adapter, with one repair and one saving.
 *
 * The saving: the adapter opens a transaction with `BEGIN` and then `SET TRANSACTION ISOLATION LEVEL`, two round trips
 * on every transaction. Here its `BEGIN` carries the level (`BEGIN ISOLATION LEVEL SERIALIZABLE`): the level travels
 * to the connection's query call in an AsyncLocalStorage, and the adapter is asked for a plain transaction.
 *
 * The repair: Prisma 6.19's transaction manager sends COMMIT itself and only then calls the adapter's commit(), which
 * is what returns the connection to the pool. When COMMIT fails (a serialization failure is reported at commit time
 * under Serializable), commit() is never called and the connection leaks; after DB_POOL_SIZE such failures every
 * query waits forever. Here a failed COMMIT/ROLLBACK releases the connection
 * (destroying it unless the failure was a clean serialization/deadlock abort), and later commit()/rollback() calls
 * become no-ops. `onPool` receives the pg pool each time Prisma opens one (pool-usage metrics read it).
 */
export function createPgAdapter(config: pg.PoolConfig, onPool?: (pool: pg.Pool) => void): PrismaPg {
  const factory = new PrismaPg(config);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const pool = adapter.underlyingDriver();
    // A connection the server ends (restart, failover, pg_terminate_backend) emits 'error' on its client. While the
    // client is checked out or being released nothing else listens, and Node would exit on the unhandled event; the
    // statement in flight fails on its own and the pool discards the client.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((config: unknown, ...rest: unknown[]) => {
        const level = beginIsolation.getStore();
        const begin = level !== undefined && typeof config === 'object' && (config as { text?: string } | null)?.text === 'BEGIN';
        return query(begin ? { ...(config as object), text: `BEGIN ISOLATION LEVEL ${level}` } : config, ...rest);
      }) as typeof client.query;
    });
    onPool?.(pool);
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const tx = (await (isolationLevel && ISOLATION_LEVELS.has(isolationLevel)
        ? beginIsolation.run(isolationLevel, () => startTransaction(undefined))
        : startTransaction(isolationLevel))) as unknown as PgTx;
      const executeRaw = tx.executeRaw.bind(tx);
      const commit = tx.commit.bind(tx);
      const rollback = tx.rollback.bind(tx);
      let released = false;
      tx.commit = async () => {
        if (!released) {
          released = true;
          await commit();
        }
      };
      tx.rollback = async () => {
        if (!released) {
          released = true;
          await rollback();
        }
      };
      tx.executeRaw = async (query) => {
        try {
          return await executeRaw(query);
        } catch (error) {
          if ((query.sql === 'COMMIT' || query.sql === 'ROLLBACK') && !released) {
            released = true;
            tx.cleanup?.();
            tx.client.release(isRetryableTransactionError(error) ? undefined : (error as Error));
          }
          throw error;
        }
      };
      return tx as never;
    };
    return adapter;
  };
  return factory;
}
