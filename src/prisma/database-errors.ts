/**
 * Whether `error` is PostgreSQL's foreign key violation (23503) on `constraint`, however it reached us: from a raw
 * query (the driver error, wrapped by Prisma) or from a model write (P2003).
 */
export function isForeignKeyViolation(error: unknown, constraint: string): boolean {
  const e = error as
    | { code?: string; message?: string; meta?: Record<string, unknown>; cause?: { code?: string; constraint?: string; message?: string } }
    | undefined;
  if (!e) return false;
  const text = `${e.message ?? ''} ${JSON.stringify(e.meta ?? {})} ${e.cause?.message ?? ''} ${e.cause?.constraint ?? ''}`;
  const isFk = e.code === 'P2003' || e.code === '23503' || e.cause?.code === '23503' || /\b23503\b|foreign key constraint/i.test(text);
  return isFk && text.includes(constraint);
}
