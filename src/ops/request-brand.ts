import type { NextFunction, Request, Response } from 'express';
import { BrandContext, DEFAULT_BRAND_ID } from '../common/context/brand-context.js';

/**
 * Second middleware of the app: fixes the request's brand, once, for everything the request reads and writes (the
 * database layer sets it on every transaction; row-level security holds each query to it). A single-brand install
 * serves its default brand on every route; a bearer token of another brand is refused by the auth guard.
 */
export function requestBrandMiddleware(_req: Request, _res: Response, next: NextFunction): void {
  BrandContext.enter(DEFAULT_BRAND_ID);
  next();
}
