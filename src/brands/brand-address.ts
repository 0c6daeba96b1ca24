import { DEFAULT_BRAND_ID } from '../common/context/brand-context.js';

/** The brand path prefix of platform mode: `/b/<slug>/...` serves that brand's routes (`/b/shop-a/products`). */
export const BRAND_PATH_PREFIX = /^\/b\/([^/?#]{1,64})(?=[/?#]|$)/;
/** The path prefix that serves a brand in platform mode (what BRAND_PATH_PREFIX reads back). */
export const brandPathPrefix = (slug: string): string => `/b/${slug}`;

export interface BrandAddress {
  id: string;
  slug: string;
  /** Host names mapped to the brand (brand_hosts). */
  hosts: readonly string[];
}

/**
 * Where a brand is reached from outside, without a request to take it from (customer messages): the inverse of the
 * brand resolution (src/ops/request-brand.ts). In platform mode, the brand's first mapped host, else its
 * `<slug>.PLATFORM_DOMAIN` subdomain (not for the default brand), each on the public URL's scheme and port (the same
 * server answers every host); else the public URL, plus `/b/<slug>` for a brand other than the default. A single-brand
 * install is at its public URL. No trailing slash: paths (`/shop/...`) are appended.
 */
export function brandPublicBase(
  brand: BrandAddress,
  options: { publicUrl: string; platformMode: boolean; platformDomain?: string },
): string {
  const url = new URL(options.publicUrl);
  const origin = url.origin;
  if (!options.platformMode) return origin;
  const onHost = (host: string) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`;
  const [host] = [...brand.hosts].sort();
  if (host) return onHost(host);
  if (brand.id === DEFAULT_BRAND_ID) return origin;
  if (options.platformDomain) return onHost(`${brand.slug}.${options.platformDomain}`);
  return `${origin}${brandPathPrefix(brand.slug)}`;
}
