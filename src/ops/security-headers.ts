import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Helmet's security headers with a content security policy that allows only what this origin serves: the console and
 * storefront bundles load from 'self' with no inline script or style. Swagger UI at /docs (and only there) also gets
 * inline styles, which its page needs. Data: images are allowed (Swagger UI's icons, small inline images); plain HTTP
 * stays usable in development (no upgrade-insecure-requests: TLS is the proxy's job).
 */
const directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'upgrade-insecure-requests': null,
};

const forApp = helmet({ contentSecurityPolicy: { directives } });
const forDocs = helmet({ contentSecurityPolicy: { directives: { ...directives, 'style-src': ["'self'", "'unsafe-inline'"] } } });

const isDocs = (path: string) => path === '/docs' || path.startsWith('/docs/');

export function securityHeaders(): RequestHandler {
  return (req, res, next) => (isDocs(req.path) ? forDocs : forApp)(req, res, next);
}
