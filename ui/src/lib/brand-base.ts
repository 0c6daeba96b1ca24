/**
 * The brand path prefix of platform mode (`/b/<slug>`, README "Brands"), mirroring BRAND_PATH_PREFIX in
 * src/brands/brand-address.ts: a page opened under it belongs to that brand, and so do its links and API calls.
 */
const BRAND_PREFIX = /^\/b\/[a-z0-9-]+(?=\/|$)/;

/** This page's brand prefix ('/b/<slug>'), or '' when the page was opened without one (one brand, or a brand's own host). */
export function brandBase(): string {
  return BRAND_PREFIX.exec(location.pathname)?.[0] ?? '';
}

/** The API's address for this page: its origin plus its brand prefix, so every call (sign-in and refresh too) is that brand's. */
export function apiBaseUrl(): string {
  return location.origin + brandBase();
}
