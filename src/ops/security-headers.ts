import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Helmet's security headers with a content security policy that allows only what this origin serves: the console and
 * storefront bundles load from 'self' with no inline script or style. Swagger UI at /docs (and only there) also gets
 * inline styles, which its page needs. Images may also come from any https: origin (product photos and logos on a
 * brand's CDN) and data: (Swagger UI's icons); an image cannot run code. Plain HTTP stays usable in development (no
 * upgrade-insecure-requests: TLS is the proxy's job).
 */
const directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'https:'],
  'font-src': ["'self'"],
  'upgrade-insecure-requests': null,
};

/**
 * The storefront's payment page (/pay/:orderId) is the one page that loads third-party code: the providers' own
 * checkout — Stripe.js with the Payment Element (script, its iframes, its API) and Razorpay Checkout (script and its
 * iframe) — exactly as their integration guides list. Every other page stays 'self'-only.
 */
const PAYMENT_PROVIDERS = {
  'script-src': ["'self'", 'https://js.stripe.com', 'https://checkout.razorpay.com'],
  'frame-src': ['https://js.stripe.com', 'https://hooks.stripe.com', 'https://api.razorpay.com', 'https://checkout.razorpay.com'],
  'connect-src': ["'self'", 'https://api.stripe.com', 'https://lumberjack.razorpay.com'],
};

/**
 * What a helmet middleware does to every response, recorded once: with these fixed directives its headers never
 * depend on the request, and setting them from a list costs a fraction of running helmet's dozen middlewares on every
 * request.
 */
function recorded(middleware: ReturnType<typeof helmet>): RequestHandler {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => set.push([name, value]),
    removeHeader: (name: string) => removed.push(name),
  };
  middleware({} as Request, recorder as unknown as Response, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet refused its configuration');
  });
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}

const forApp = recorded(helmet({ contentSecurityPolicy: { directives } }));
const forDocs = recorded(helmet({ contentSecurityPolicy: { directives: { ...directives, 'style-src': ["'self'", "'unsafe-inline'"] } } }));
const forPayment = recorded(helmet({ contentSecurityPolicy: { directives: { ...directives, ...PAYMENT_PROVIDERS } } }));

const isDocs = (path: string) => path === '/docs' || path.startsWith('/docs/');
const isPaymentPage = (path: string) => path.startsWith('/pay/');

export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    // Express's req.path read off req.url: the front door runs this before Express has dressed the request.
    const url = req.url;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    (isDocs(path) ? forDocs : isPaymentPage(path) ? forPayment : forApp)(req, res, next);
  };
}
