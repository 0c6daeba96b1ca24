import type { NextFunction, Request, Response } from 'express';
import { BrandContext, DEFAULT_BRAND_ID, isBrandId } from '../common/context/brand-context.js';
import { RequestContext } from '../common/context/request-context.js';
import { ForbiddenError, NotFoundError } from '../common/errors/domain-errors.js';
import { AllExceptionsFilter } from '../common/http/all-exceptions.filter.js';
import type { BrandRef, BrandsService } from '../brands/brands.service.js';
import { BRAND_PATH_PREFIX } from '../brands/brand-address.js';

/** Provider webhooks name their brand in the path: `/webhooks/<provider>/<brand slug>`. */
const BRAND_WEBHOOK = /^\/webhooks\/[^/?#]+\/([^/?#]{1,64})\/?(?=[?#]|$)/;
/** Money still arrives for a suspended brand: the provider has taken it, so it must be recorded (README "Brands"). */
const RECORDS_MONEY = /^\/webhooks\//;

export interface PlatformResolution {
  brands: BrandsService;
  /** `<slug>.<domain>` serves that brand. */
  platformDomain?: string;
}

/** The `brand` claim of a bearer token, read without checking it: the auth guard verifies the token and refuses another brand's. */
function tokenBrand(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  const payload = header.slice(7).split('.')[1];
  if (!payload || payload.length > 4096) return undefined;
  try {
    const brand = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { brand?: unknown }).brand;
    return isBrandId(brand) ? brand : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which brand a platform-mode request is for, first match wins: the path prefix `/b/<slug>` (removed from the URL, so
 * the routes behind it are the same), the brand slug of a provider webhook path, the request's host (a host mapped to
 * a brand, or `<slug>.PLATFORM_DOMAIN`), the brand of its bearer token (the console), else the default brand. A slug
 * or host that names no brand is a 404; a suspended brand's requests are refused (403) except its payment webhooks.
 */
async function resolve(req: Request, platform: PlatformResolution): Promise<{ brand: BrandRef | null; basePath: string }> {
  const prefix = BRAND_PATH_PREFIX.exec(req.url);
  if (prefix) {
    req.url = req.url.slice(prefix[0].length) || '/';
    const brand = await platform.brands.bySlug(prefix[1]);
    if (!brand) throw new NotFoundError('Brand', prefix[1].slice(0, 64));
    return { brand, basePath: prefix[0] };
  }
  const webhook = BRAND_WEBHOOK.exec(req.url);
  if (webhook) {
    const brand = await platform.brands.bySlug(webhook[1]);
    if (!brand) throw new NotFoundError('Brand', webhook[1].slice(0, 64));
    return { brand, basePath: '' };
  }
  const host = req.hostname.toLowerCase();
  if (host) {
    const mapped = await platform.brands.byHost(host);
    if (mapped) return { brand: mapped, basePath: '' };
    const domain = platform.platformDomain;
    if (domain && host.endsWith(`.${domain}`)) {
      const slug = host.slice(0, -domain.length - 1);
      const brand = await platform.brands.bySlug(slug);
      if (!brand) throw new NotFoundError('Brand', slug.slice(0, 64));
      return { brand, basePath: '' };
    }
  }
  const claimed = tokenBrand(req);
  if (claimed && claimed !== DEFAULT_BRAND_ID) return { brand: await platform.brands.byId(claimed), basePath: '' };
  return { brand: null, basePath: '' };
}

/**
 * Second middleware of the app: fixes the request's brand, once, for everything the request reads and writes (the
 * database layer sets it on every transaction; row-level security holds each query to it). A single-brand install
 * (no `platform`) serves its default brand on every route, exactly as before brands; a bearer token of another brand
 * is refused by the auth guard.
 */
export function requestBrandMiddleware(platform?: PlatformResolution): (req: Request, res: Response, next: NextFunction) => void {
  if (!platform) {
    return (_req, _res, next) => {
      BrandContext.enter(DEFAULT_BRAND_ID);
      next();
    };
  }
  const errors = new AllExceptionsFilter();
  return (req, res, next) => {
    resolve(req, platform)
      .then(({ brand, basePath }) => {
        if (brand?.status === 'SUSPENDED' && !RECORDS_MONEY.test(req.url))
          throw new ForbiddenError(`The brand ${brand.slug} is suspended`, { brand: brand.slug, status: brand.status });
        BrandContext.enter(brand?.id ?? DEFAULT_BRAND_ID);
        const context = RequestContext.get();
        if (context) context.basePath = basePath;
        next();
      })
      .catch((error: unknown) => {
        const body = errors.toBody(error);
        res.status(body.statusCode).json(body);
      });
  };
}
