import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { IS_OPTIONAL_AUTH, IS_PUBLIC, ROLES } from '../src/common/http/access.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';

/**
 * Every route that is not deliberately open to customers or guests. Anything else — including every route added
 * later — must be admin-only: the test below calls it as a customer and as a guest.
 */
const NOT_ADMIN_ONLY = new Set([
  'GET /health',
  'GET /metrics', // probes (the metrics token is checked in the controller)
  'POST /auth/register',
  'POST /auth/login',
  'GET /auth/me',
  'POST /auth/refresh',
  'POST /auth/logout',
  'POST /auth/password', // console sessions: the refresh cookie, and one's own password
  'GET /products',
  'GET /products/:id',
  'POST /cart/quote',
  'GET /payments/methods',
  'POST /orders/checkout',
  'POST /orders/lookup',
  'GET /orders/my-orders',
  'GET /orders/:id',
  'GET /orders/:id/history',
  'POST /orders/:id/cancel',
  'GET /orders/:id/payment',
  'POST /orders/:id/payment',
  'POST /payments/:provider/verify', // a provider's client-side confirmation (verified with the provider)
  'POST /orders/:id/returns',
  'GET /orders/:id/returns',
  'POST /webhooks/:provider', // signed by the providers (/webhooks/stripe, /webhooks/razorpay, ...)
  'POST /webhooks/:provider/:brandSlug', // the same, for one brand (platform mode), verified with that brand's secret
  'POST /shipping/webhooks/:path', // carriers' tracking webhooks, with the carrier's token (Shiprocket: x-api-key)
  'GET /live/catalogue',
  'GET /live/orders/:id', // live stock (public) and one order's status (its customer or token holder)
  'GET /brand',
  'POST /orders/track', // the storefront: brand profile, tracking by number and phone
  'GET /shop',
  'GET /shop/theme.css',
  'GET /shop/:slug',
  'GET /checkout',
  'GET /pay/:orderId',
  'GET /track', // its pages
  'GET /media/:folder/:file', // uploaded product images, shown on the storefront
  'POST /waitlist', // "notify me": a buyer leaves a phone or email for a sold-out variant or an upcoming drop
]);

interface Route {
  method: string;
  path: string;
  /** 'public', 'optional', 'signed-in', or the roles (ADMIN, ...) joined by |. */
  access: string;
}

/** Every HTTP route of every controller, with its access rule, from the metadata Nest itself routes and guards by. */
function discoverRoutes(isolated: IsolatedTestApp): Route[] {
  const { app } = isolated.t;
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  return app
    .get(DiscoveryService)
    .getControllers()
    .flatMap((wrapper) => {
      const controller = wrapper.metatype as object;
      const prototype = Object.getPrototypeOf(wrapper.instance);
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      return scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = prototype[name];
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) return [];
        const targets = [handler, controller];
        const roles = reflector.getAllAndOverride<string[] | undefined>(ROLES, targets);
        const access = reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)
          ? 'public'
          : reflector.getAllAndOverride<boolean>(IS_OPTIONAL_AUTH, targets)
            ? 'optional'
            : roles?.length
              ? roles.join('|')
              : 'signed-in';
        const full = `/${[base, path]
          .map((p) => p.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        return [{ method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number], path: full, access }];
      });
    });
}

describe('admin routes', () => {
  let isolated: IsolatedTestApp;
  let support: typeof import('./support/test-app.js');

  beforeAll(async () => {
    isolated = await startIsolatedTestApp({});
    support = await import('./support/test-app.js');
  });
  afterAll(async () => {
    await isolated?.close();
  });

  /** Row counts and contents of every table, to show that refused calls changed nothing. */
  async function fingerprint(): Promise<Record<string, string>> {
    const tables = await isolated.t.prisma.$queryRaw<
      { name: string }[]
    >`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`;
    const result: Record<string, string> = {};
    for (const { name } of tables) {
      const [row] = await isolated.t.prisma.$queryRawUnsafe<{ n: number; h: string }[]>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS h FROM "${name}" x`,
      );
      result[name] = `${row.n}:${row.h}`;
    }
    return result;
  }

  it('refuses every admin route to customers (403) and guests (401), generated from the routes themselves, and changes nothing', async () => {
    const routes = discoverRoutes(isolated);
    const keys = new Set(routes.map((r) => `${r.method} ${r.path}`));
    // The allow-list names only routes that exist, and the admin routes found include the ones a mutation test caught missing.
    expect([...NOT_ADMIN_ONLY].filter((k) => !keys.has(k))).toEqual([]);
    const adminOnly = routes.filter((r) => !NOT_ADMIN_ONLY.has(`${r.method} ${r.path}`));
    expect(adminOnly.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /orders/:id/returns/:returnId/receive',
        'POST /orders/:id/returns/:returnId/reject',
        'POST /orders/:id/refunds',
        'PATCH /inventory/:variantId',
      ]),
    );
    expect(adminOnly.length).toBeGreaterThanOrEqual(30);

    // Path parameters name real rows (an order, a variant), so a route that let the caller through would act on them.
    const { t } = isolated;
    const customer = await support.registerCustomer(t, 'not-admin');
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const order = (
      await t.http
        .post('/orders/checkout')
        .set(support.bearer(customer.token))
        .send(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]))
        .expect(201)
    ).body.order;
    const params: Record<string, string> = { id: order.id, variantId: product.variants[0].id, idOrSlug: product.slug, returnId: order.id };
    const url = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => params[name] ?? order.id);

    const before = await fingerprint();
    const wrong: string[] = [];
    for (const route of adminOnly) {
      for (const [caller, expected, token] of [
        ['customer', 403, customer.token],
        ['guest', 401, undefined],
      ] as const) {
        let req = (t.http as any)[route.method.toLowerCase()](url(route.path));
        if (token) req = req.set(support.bearer(token));
        if (route.method !== 'GET' && route.method !== 'DELETE') req = req.send({});
        const res = await req;
        if (res.status !== expected)
          wrong.push(`${route.method} ${route.path} (${route.access}) as ${caller}: ${res.status}, expected ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  });
});
