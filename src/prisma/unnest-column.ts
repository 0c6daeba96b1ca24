/** One column of `rows` as an array parameter for `unnest(...)` (one statement writes many rows); absent values are NULL. */
export function unnestColumn<T, K extends keyof T>(rows: readonly T[], key: K): (T[K] | null)[] {
  return rows.map((row) => row[key] ?? null);
}
