import { RequestContext } from './request-context.js';

/** The brand a single-brand install runs as; the brands migration created it and gave it every existing row. */
export const DEFAULT_BRAND_ID = '00000000-0000-0000-0000-000000000001';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isBrandId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The brand of the work in progress. The database layer reads it when a transaction begins (and before a query outside
 * one) and sets it for row-level security, so no query names the brand itself. Set once per request (the request's
 * brand, see BrandResolution) or per job run; undefined means the install's fallback (the default brand).
 */
export const BrandContext = {
  current(): string | undefined {
    return RequestContext.get()?.brandId;
  },
  /**
   * Runs `work` as `brandId` (jobs, CLI, tests): everything it queries and writes is that brand's. Its result is awaited
   * inside the brand, since Prisma's queries are lazy and start where they are awaited.
   */
  run<T>(brandId: string, work: () => T | PromiseLike<T>): Promise<T> {
    if (!isBrandId(brandId)) throw new Error('A brand id is a UUID');
    return RequestContext.run({ ...RequestContext.get(), brandId }, async () => await work());
  },
  /** Fixes the brand of the current request (its context was opened by the first middleware). */
  enter(brandId: string): void {
    const context = RequestContext.get();
    if (!context) throw new Error('No request context to set the brand on');
    if (!isBrandId(brandId)) throw new Error('A brand id is a UUID');
    context.brandId = brandId;
  },
};

/**
 * The brand the database layer scopes the current work to (the context's, else the default brand): for code that
 * builds a row in memory or names a per-brand unique key. Queries themselves never need it.
 */
export function activeBrandId(): string {
  return BrandContext.current() ?? DEFAULT_BRAND_ID;
}
