import { AsyncLocalStorage } from 'node:async_hooks';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { isRetryableTransactionError } from './transaction-retry.js';
import { BrandContext, isBrandId } from '../common/context/brand-context.js';

type Query = { sql: string };
type PgTx = {
  executeRaw(q: Query): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  client: pg.PoolClient;
  /** Removes the adapter's per-transaction 'error' listener from the client. */
  cleanup?: () => void;
};

type Queryable = { performIO: (this: Queryable, query: Query) => Promise<unknown>; onError: (error: unknown) => never; client: unknown };

const ISOLATION_LEVELS = new Set(['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE']);
/** The isolation level and brand of the transaction whose BEGIN is about to be sent from this async context. */
const beginOptions = new AsyncLocalStorage<{ level?: string; brand: string; fromContext: boolean }>();

/**
 * A pool connection whose session is the wanted brand, released (or discarded when broken) after `work`. A connection
 * that cannot be had fails with the pool's own error (the error filter knows its messages), or as `connectFailed` says.
 */
export type WithConnection = <T>(work: (client: pg.PoolClient) => Promise<T>, connectFailed?: (error: unknown) => never) => Promise<T>;

export interface BrandScoping {
  /** The role every connection switches to (SET ROLE), one row-level security applies to; '' keeps the login role. */
  appRole: string;
  /** The brand of work that sets none (a single-brand install's default brand); '' for none, which sees no brand's rows. */
  fallbackBrandId: string;
}

const brandSql = (brand: string, local: boolean) => {
  // Interpolated (a simple-protocol statement cannot take parameters), so only a UUID or nothing gets in.
  if (brand !== '' && !isBrandId(brand)) throw new Error('A brand id is a UUID');
  return `SELECT set_config('app.brand_id', '${brand}', ${local})`;
};

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
 *
 * The brand (README "Brands"): every connection switches to the app role and starts as the fallback brand; every
 * transaction of a brand sets it with set_config(..., true) (SET LOCAL) in the same round trip as its BEGIN; a query
 * outside a transaction first sets the connection's brand when it is not already the one wanted (never, on a
 * single-brand install). The brand is BrandContext's, read where Prisma hands the work to the adapter. Nothing else
 * may set app.brand_id: the adapter tracks what each connection's session is set to.
 */
export function createPgAdapter(
  config: pg.PoolConfig,
  scoping: BrandScoping,
  onPool?: (pool: pg.Pool, withConnection: WithConnection) => void,
): PrismaPg {
  if (scoping.fallbackBrandId !== '' && !isBrandId(scoping.fallbackBrandId)) throw new Error('A brand id is a UUID');
  // The role and the fallback brand travel in the connection's startup packet: no statement before the first query.
  const startup = [
    scoping.appRole && `-c role=${scoping.appRole}`,
    scoping.fallbackBrandId && `-c app.brand_id=${scoping.fallbackBrandId}`,
  ];
  config = { ...config, options: [config.options, ...startup].filter(Boolean).join(' ') };
  /** The brand each connection's session is set to (outside transactions). */
  const sessionBrand = new WeakMap<pg.PoolClient, string>();
  const contextBrand = () => BrandContext.current();
  const wanted = () => contextBrand() ?? scoping.fallbackBrandId;
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
      sessionBrand.set(client, scoping.fallbackBrandId); // from the startup options (below)
      client.query = ((config: unknown, ...rest: unknown[]) => {
        const begin = beginOptions.getStore();
        if (begin === undefined || typeof config !== 'object' || (config as { text?: string } | null)?.text !== 'BEGIN')
          return query(config, ...rest);
        let text = begin.level ? `BEGIN ISOLATION LEVEL ${begin.level}` : 'BEGIN';
        // Work of a brand always names it; work of none (jobs, a single-brand install's start-up) runs as the fallback
        // brand, which the session already is unless a query of another brand left it set.
        if (begin.fromContext || sessionBrand.get(client) !== begin.brand) text += `; ${brandSql(begin.brand, true)}`;
        return query({ ...(config as object), text }, ...rest);
      }) as typeof client.query;
    });
    const withConnection: WithConnection = async (work, connectFailed) => {
      const brand = wanted();
      const client = await (connectFailed ? pool.connect().catch(connectFailed) : pool.connect());
      let broken: Error | undefined;
      try {
        if (sessionBrand.get(client) !== brand) {
          await client.query(brandSql(brand, false));
          sessionBrand.set(client, brand);
        }
        return await work(client);
      } catch (error) {
        // A statement error leaves the connection usable; a lost or broken connection must not go back to the pool.
        if (!isStatementError(error)) broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    };
    onPool?.(pool, withConnection);
    // A query outside a transaction: on a connection whose session is (made) the wanted brand. A connection that cannot
    // be had fails as the adapter reports it (pool timeout: 503), as pool.query did.
    const queryable = adapter as unknown as Queryable;
    const { performIO } = queryable;
    queryable.performIO = (query: Query) =>
      withConnection(
        (client) => performIO.call(Object.create(adapter, { client: { value: client } }) as Queryable, query),
        (error) => queryable.onError(error),
      );
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const level = isolationLevel && ISOLATION_LEVELS.has(isolationLevel) ? isolationLevel : undefined;
      const tx = (await beginOptions.run({ level, brand: wanted(), fromContext: contextBrand() !== undefined }, () =>
        startTransaction(level ? undefined : isolationLevel),
      )) as unknown as PgTx;
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

const SQLSTATE = /^(?=.*\d)[0-9A-Z]{5}$/; // 23505, 40001, XX000 (never EPIPE)

/** True for an error the server reported for one statement (it has a SQLSTATE): the connection itself is fine. */
function isStatementError(error: unknown): boolean {
  for (let e = error as { cause?: unknown; code?: unknown; originalCode?: unknown } | undefined, depth = 0; e && depth < 6; depth++) {
    if ([e.originalCode, e.code].some((code) => typeof code === 'string' && SQLSTATE.test(code))) return true;
    e = e.cause as typeof e;
  }
  return false;
}
