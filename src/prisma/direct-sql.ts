import pg from 'pg';
import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from './prisma.service.js';

/** The raw-statement half of a Prisma client: what hot paths send, as tagged templates or Prisma.sql fragments. */
export interface RawStatements {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
}

/** Distinct statement texts get a prepared-statement name each, up to this many (the rest run unnamed). */
const MAX_NAMED = 500;
const names = new Map<string, string>();

const INT8 = 20;
const TIMESTAMP = 1114;
/** Column types whose pg parsing differs from what Prisma's $queryRaw returns, and that no direct caller reads. */
const UNSUPPORTED = new Set([1700 /* numeric: Prisma gives a Decimal */, 1016 /* int8[] */, 1115 /* timestamp[] */]);

/** Results as Prisma's $queryRaw gives them: int8 as bigint, timestamp without time zone as UTC. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (value: string) => BigInt(value);
    if (oid === TIMESTAMP) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    return (pg.types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown)(oid, format);
  },
};

/** Dates sent as UTC instants (pg would send local time, which a timestamp-without-time-zone column misreads). */
const param = (value: unknown): unknown =>
  value instanceof Date
    ? value.toISOString()
    : Array.isArray(value)
      ? value.map((v: unknown) => (v instanceof Date ? v.toISOString() : v))
      : value;

function statement(query: TemplateStringsArray | Prisma.Sql, values: unknown[]): pg.QueryConfig {
  const sql = query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
  const text = sql.text;
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) names.set(text, (name = `orderline_${names.size + 1}`));
  return { text, values: sql.values.map(param), ...(name && { name }), types } as pg.QueryConfig;
}

function readable(result: pg.QueryResult): pg.QueryResult {
  for (const field of result.fields)
    if (UNSUPPORTED.has(field.dataTypeID)) throw new Error(`Direct SQL cannot read column ${field.name} (type ${field.dataTypeID})`);
  return result;
}

async function run(client: pg.ClientBase, query: TemplateStringsArray | Prisma.Sql, values: unknown[]): Promise<pg.QueryResult> {
  return readable(await client.query(statement(query, values)));
}

/**
 * Raw statements sent straight to a pg connection, as named prepared statements: no query plan compiled per call, no
 * ORM interpreter, and PostgreSQL parses each distinct statement once per connection. For hot paths only: results
 * come back as `$queryRaw` gives them (bigint for int8, Dates for timestamps; other types pg's way, which is
 * Prisma's for the integer, text, boolean, uuid, enum and JSON columns they read), and errors are pg's own (with the
 * SQLSTATE in `code`), which the retry and constraint checks recognise as well as Prisma's.
 */
export function directStatements(connection: <R>(work: (client: pg.ClientBase) => Promise<R>) => Promise<R>): RawStatements {
  return {
    async $queryRaw<T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T> {
      return (await connection((client) => run(client, query, values))).rows as T;
    },
    async $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number> {
      return (await connection((client) => run(client, query, values))).rowCount ?? 0;
    },
  };
}

/**
 * `query` with its text and number values written into the statement as literals (pg's escaping), so that it has no
 * parameters: a transaction's first statement then travels with its BEGIN (directTransaction). Other values are refused.
 */
export function withLiterals(query: Prisma.Sql): Prisma.Sql {
  const literal = (value: unknown): string => {
    if (typeof value === 'string') return pg.escapeLiteral(value);
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw new Error(`withLiterals takes text and finite numbers, not ${typeof value}`);
  };
  return Prisma.raw(query.strings.reduce((text, part, i) => `${text}${literal(query.values[i - 1])}${part}`));
}

/** The isolation levels a transaction of this app runs at (README "Payments and webhooks" says why payments use the second). */
export type Isolation = 'serializable' | 'readCommitted';

const BEGIN: Record<Isolation, string> = {
  serializable: 'BEGIN ISOLATION LEVEL SERIALIZABLE',
  readCommitted: 'BEGIN ISOLATION LEVEL READ COMMITTED',
};

/**
 * For a transaction whose statements find every row by key (the checkout), sent with the BEGIN:
 * - Generic plans. PostgreSQL re-plans a named prepared statement with its parameters on every execution when it
 *   thinks that pays, and for the checkout's one large statement it does not (measured: 3.9 ms per execution with a
 *   custom plan, 2.2 ms with the generic one), its parameters being ids and small arrays that any plan treats alike.
 * - No sequential scans. Under Serializable a sequential scan takes a predicate lock on the whole table, so two
 *   checkouts that each scanned a table the other writes abort one another, and a crowd retries over and over; the
 *   planner prefers them on small tables (a brand's first drop: 270 retries for 300 units sold, and twice as long).
 *   Plans made in the transaction, the foreign-key checks' included, look rows up by key instead
 *   (test/checkout-predicate-locks.e2e-spec.ts). A table with no index to use is still scanned.
 * - No JIT: the cost a forbidden scan is given would have every plan compiled (1.5 s per statement, measured).
 */
const KEYED_PLANS = 'SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off; SET LOCAL jit = off';

export interface DirectTransactionOptions {
  isolation?: Isolation;
  /** Every statement finds its rows by key: generic plans only (KEYED_PLANS). */
  keyedPlans?: boolean;
}

/**
 * A transaction (Serializable unless `isolation` says otherwise) on `client` that sends only raw statements (directStatements), with no ORM machinery:
 * BEGIN, `work`, COMMIT (ROLLBACK when `work` or the COMMIT fails; the caller retries). `work` gets a client that has
 * $queryRaw and $executeRaw and nothing else (anything else throws); it also keys afterCommit, like a Prisma `tx`.
 * BEGIN goes with the first statement: in the same round trip when that statement has no parameters (a simple-protocol
 * query may hold several statements; one with parameters may not). The snapshot is taken at the first statement either
 * way, so nothing changes but a round trip fewer.
 */
export async function directTransaction<T>(
  client: pg.ClientBase,
  work: (tx: Tx) => Promise<T>,
  { isolation = 'serializable', keyedPlans = false }: DirectTransactionOptions = {},
): Promise<T> {
  const begin = keyedPlans ? `${BEGIN[isolation]}; ${KEYED_PLANS}` : BEGIN[isolation];
  const opened = { begun: false };
  const first = async (query: TemplateStringsArray | Prisma.Sql, values: unknown[]): Promise<pg.QueryResult> => {
    opened.begun = true;
    const sql = query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
    if (sql.values.length) {
      await client.query(begin);
      return run(client, sql, []);
    }
    const results = (await client.query({ text: `${begin}; ${sql.text}`, types } as pg.QueryConfig)) as unknown as pg.QueryResult[];
    return readable(results[results.length - 1]);
  };
  const send = (query: TemplateStringsArray | Prisma.Sql, values: unknown[]) =>
    opened.begun ? run(client, query, values) : first(query, values);
  const statements: RawStatements = {
    async $queryRaw<R>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<R> {
      return (await send(query, values)).rows as R;
    },
    async $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number> {
      return (await send(query, values)).rowCount ?? 0;
    },
  };
  const tx = new Proxy({} as Tx, {
    get(_target, key) {
      if (key === '$queryRaw') return statements.$queryRaw.bind(statements);
      if (key === '$executeRaw') return statements.$executeRaw.bind(statements);
      if (typeof key === 'symbol' || key === 'then') return undefined;
      throw new Error(`A direct transaction runs raw statements only ($queryRaw, $executeRaw), not ${key}`);
    },
  });
  try {
    const result = await work(tx);
    if (opened.begun) await client.query('COMMIT');
    return result;
  } catch (error) {
    // After a failed COMMIT the transaction is already over: this ROLLBACK only draws a warning.
    if (opened.begun) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
