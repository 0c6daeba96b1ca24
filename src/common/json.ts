import type { Prisma } from '../generated/prisma/client.js';

/** A JSON copy of a value for a Json column: bigints become decimal strings (JSON.stringify would throw on them). */
export const toJsonValue = (value: unknown): Prisma.InputJsonValue =>
  JSON.parse(JSON.stringify(value, (_key, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))) as Prisma.InputJsonValue;
