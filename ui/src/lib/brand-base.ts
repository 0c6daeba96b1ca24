/**
 * The API's address for this page: its origin, plus the brand path prefix (`/b/<slug>`, platform mode) when the page
 * was opened under one, so every call (sign-in and the session refresh included) is that brand's.
 */
export function apiBaseUrl(): string {
  return location.origin + (/^\/b\/[a-z0-9-]+(?=\/|$)/.exec(location.pathname)?.[0] ?? '');
}
