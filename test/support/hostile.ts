import fc from 'fast-check';
import type { Queryable } from './invariants.js';

/** Strings that have broken real systems: SQL and NoSQL injection, path tricks, control and odd Unicode, prototype keys. */
export const HOSTILE_STRINGS = [
  `'; DROP TABLE orders; --`,
  `Robert'); DROP TABLE users;--`,
  `' OR '1'='1`,
  `" OR ""="`,
  `1; SELECT pg_sleep(10)`,
  `$1`,
  `%s%s%s%n`,
  `\\`,
  `\u0000`,
  `\u0000'; --`,
  `../../etc/passwd`,
  `..%2f..%2f`,
  `<script>alert(1)</script>`,
  `{"$gt": ""}`,
  `__proto__`,
  `constructor`,
  `NaN`,
  `Infinity`,
  `-0`,
  `9007199254740993`,
  `1e400`,
  `\u202Eevil`,
  `𝕆𝕣𝕕𝕖𝕣 🛒`,
  `\r\nX-Injected: 1`,
  ``,
  ` `,
];

export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 300, maxLength: 5_000 }) },
);

export const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 0.5, -0.0001),
  fc.integer(),
  fc.double({ noNaN: true }),
);

/** Any JSON value, with hostile leaves. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'role', 'status', 'id', 'userId')),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  format?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
export type OpenApiDoc = {
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, Schema> };
  security?: Record<string, string[]>[];
};

/**
 * Values shaped like the schema but filled with hostile or wrong-typed data, sometimes plausible data: enough to get
 * past validation now and then and exercise the service logic with odd values.
 */
export function schemaArbitrary(doc: OpenApiDoc, schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return hostileJson;
  if (schema.$ref) return schemaArbitrary(doc, doc.components?.schemas?.[schema.$ref.split('/').pop()!], depth + 1);
  const variants = schema.allOf ?? schema.oneOf ?? schema.anyOf;
  if (variants?.length) return fc.oneof(...variants.map((s) => schemaArbitrary(doc, s, depth + 1)));
  let plausible: fc.Arbitrary<unknown>;
  if (schema.enum?.length) plausible = fc.constantFrom(...schema.enum);
  else if (schema.type === 'object' || schema.properties) {
    const props = Object.entries(schema.properties ?? {});
    plausible = fc.record(Object.fromEntries(props.map(([k, s]) => [k, schemaArbitrary(doc, s, depth + 1)])), { requiredKeys: [] });
  } else if (schema.type === 'array') plausible = fc.array(schemaArbitrary(doc, schema.items, depth + 1), { maxLength: 4 });
  else if (schema.type === 'integer') plausible = fc.oneof(fc.integer({ min: -2, max: 5 }), hostileNumber);
  else if (schema.type === 'number') plausible = hostileNumber;
  else if (schema.type === 'boolean') plausible = fc.boolean();
  else if (schema.format === 'uuid') plausible = fc.uuid();
  else if (schema.format === 'email') plausible = fc.emailAddress();
  else plausible = fc.oneof(fc.string({ maxLength: 30 }), hostileString);
  return fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: hostileJson });
}

/**
 * A cheap fingerprint of every table: row count and the newest row version (xmin). An insert, update or delete
 * anywhere changes it; reads and row locks (SELECT … FOR UPDATE) do not.
 */
export async function databaseFingerprint(db: Queryable): Promise<Record<string, string>> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND ` +
      `table_name <> '_prisma_migrations' ORDER BY 1`,
  );
  const sql = tables
    .map((t) => `SELECT '${t.name}' AS name, count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text AS print FROM "${t.name}"`)
    .join(' UNION ALL ');
  const { rows } = await db.query<{ name: string; print: string }>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, r.print]));
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
}
