import pg from 'pg';
import { Prisma } from '../generated/prisma/client.js';
import { withLiterals } from './direct-sql.js';

/** Real PostgreSQL: a statement with its values written as literals reads them back exactly, whatever they hold. */
describe('withLiterals', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
  });

  it('writes text and numbers so that the server reads the same values, and leaves no parameter', async () => {
    const texts = ["evt_it's", 'back\\slash', "\\'; SELECT 1; --", "E'x'", 'ünïcødé ✓', '', '$1'];
    for (const text of texts) {
      const query = withLiterals(Prisma.sql`SELECT ${text}::text AS text, ${-12.5}::float8 AS number, ${42}::int AS int`);
      expect(query.values).toEqual([]);
      const { rows } = await client.query<{ text: string; number: number; int: number }>(query.text);
      expect(rows).toEqual([{ text, number: -12.5, int: 42 }]);
    }
  });

  it('refuses values it cannot write as a literal', () => {
    for (const value of [null, undefined, true, new Date(), ['a'], Number.NaN, 1n])
      expect(() => withLiterals(Prisma.sql`SELECT ${value}`)).toThrow(/withLiterals takes text and finite numbers/);
  });
});
