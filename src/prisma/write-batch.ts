import { Prisma } from '../generated/prisma/client.js';
import type { RawStatements } from './direct-sql.js';

/**
 * Writes of several modules sent as ONE statement: each adds its data-modifying CTEs (`name AS (...)`, names prefixed
 * or distinct per module) and, if it needs what the statement returned, one output column and what to do with it.
 * Every CTE runs exactly once whether or not the final SELECT reads it; all see the snapshot the statement started
 * with (not each other's rows), and foreign keys between them are checked at the end of the statement. For
 * transactions that hold row locks: one round trip where each module would otherwise send its own.
 */
export class WriteBatch {
  private readonly ctes: Prisma.Sql[] = [];
  private readonly outputs: { name: string; expression: Prisma.Sql; receive: (value: unknown) => Promise<void> | void }[] = [];

  /** Adds `name AS (body)`. */
  with(name: string, body: Prisma.Sql): this {
    this.ctes.push(Prisma.sql`${Prisma.raw(name)} AS (${body})`);
    return this;
  }

  /**
   * Selects `expression` (a scalar: use json_agg for rows) as output column `name` and hands its value to `receive`
   * once the statement ran, in the order the outputs were added.
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T names what the caller's SQL returns
  returning<T>(name: string, expression: Prisma.Sql, receive: (value: T) => Promise<void> | void): this {
    this.outputs.push({ name, expression, receive: receive as (value: unknown) => Promise<void> | void });
    return this;
  }

  get empty(): boolean {
    return this.ctes.length === 0;
  }

  /** Sends the statement (nothing when no module added a CTE), then runs the receivers. */
  async run(db: Pick<RawStatements, '$queryRaw'>): Promise<void> {
    if (this.empty) return;
    const columns = this.outputs.length
      ? Prisma.join(this.outputs.map((o) => Prisma.sql`${o.expression} AS ${Prisma.raw(`"${o.name}"`)}`))
      : Prisma.sql`1 AS "none"`;
    const [row] = await db.$queryRaw<Record<string, unknown>[]>`WITH ${Prisma.join(this.ctes)} SELECT ${columns}`;
    for (const output of this.outputs) await output.receive(row[output.name]);
  }
}
