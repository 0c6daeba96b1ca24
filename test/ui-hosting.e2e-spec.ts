import { gzipSync } from 'node:zlib';
import { buildAppAndHold } from './support/app-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';

/**
 * The web UI served by the API's own app: the built pages (npm run build puts them in dist/public) for their client
 * routes, hashed bundles with a long immutable cache, and a content security policy that allows no inline script or
 * style anywhere but Swagger UI at /docs.
 */
describe('web UI hosting', () => {
  let t: TestApp;
  let consoleHtml: string;
  let releaseBuild: (() => void) | undefined;

  beforeAll(async () => {
    // Other test files build too, and a build empties dist/public: none may run while this file reads it.
    releaseBuild = await buildAppAndHold();
    t = await startTestApp();
    consoleHtml = (await t.http.get('/console').expect(200)).text;
  });
  afterAll(async () => {
    await t?.close();
    releaseBuild?.();
  });

  const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);

  it('serves the console page for every console route, revalidated on each load', async () => {
    for (const path of [
      '/console',
      '/console/',
      '/console/orders',
      '/console/orders/6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c?status=PAID&q=98',
    ]) {
      const res = await t.http.get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toBe(consoleHtml);
    }
    expect(consoleHtml).toContain('<title>Orderline console</title>');
    const etag = (await t.http.get('/console/orders')).headers.etag;
    expect(etag).toBeTruthy();
    await t.http.get('/console/orders').set('If-None-Match', etag).expect(304);
    await t.http.head('/console/sign-in').expect(200);
    await t.http.post('/console/orders').expect(404);
  });

  it('sends the page under a policy that allows scripts and styles from this origin only, and the page has no inline code', async () => {
    const res = await t.http.get('/console/orders').expect(200);
    const csp = res.headers['content-security-policy'];
    const directive = (name: string) =>
      csp
        .split(';')
        .find((d: string) => d.trim().startsWith(`${name} `))
        ?.trim();
    expect(directive('default-src')).toBe("default-src 'self'");
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('style-src')).toBe("style-src 'self'");
    expect(directive('object-src')).toBe("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const scripts = [...consoleHtml.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/assets\//);
      expect(body.trim()).toBe('');
    }
    expect(consoleHtml).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/i);
  });

  it('serves hashed bundles with a year-long immutable cache, and a missing one as a 404 (never the page)', async () => {
    const assets = assetsOf(consoleHtml);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      expect(asset).toMatch(/-[\w-]{8}\.(js|css|svg)$/);
      const res = await t.http.get(asset).expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      if (asset.endsWith('.js')) expect(res.headers['content-type']).toMatch(/javascript/);
    }
    const missing = await t.http.get('/assets/console-00000000.js').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('renders the storefront pages from the built shop page, with their content, for their routes only', async () => {
    const shopHtml = (await t.http.get('/shop').expect(200)).text;
    expect(shopHtml).not.toBe(consoleHtml);
    expect(assetsOf(shopHtml).some((a) => /\/assets\/shop-[\w-]+\.js$/.test(a))).toBe(true);
    for (const path of ['/shop', '/shop/', '/checkout', '/pay/6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c', '/track', '/track/']) {
      const res = await t.http.get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      // The built page's bundle and styles, plus this page's content and data (rendered on the server).
      expect(assetsOf(res.text)).toEqual(assetsOf(shopHtml));
      expect(res.text).toMatch(/<div id="app"><div class="[^"]+">/);
      expect(res.text).toContain('<script type="application/json" id="shop-data">');
    }
    const unknown = await t.http.get('/shop/no-such-product').expect(404);
    expect(unknown.headers['content-type']).toMatch(/^text\/html/);
    for (const path of ['/shop/a/b', '/pay', '/tracking', '/consoles']) {
      const res = await t.http.get(path).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404 });
    }
  });

  it("lets only the payment page load the payment providers' scripts", async () => {
    const directive = (csp: string, name: string) =>
      csp
        .split(';')
        .find((d) => d.trim().startsWith(`${name} `))
        ?.trim();
    const pay = (await t.http.get('/pay/6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c').expect(200)).headers['content-security-policy'];
    expect(directive(pay, 'script-src')).toBe("script-src 'self' https://js.stripe.com https://checkout.razorpay.com");
    expect(directive(pay, 'frame-src')).toContain('https://js.stripe.com');
    for (const path of ['/shop', '/checkout', '/track', '/console/orders']) {
      expect(directive((await t.http.get(path)).headers['content-security-policy'], 'script-src')).toBe("script-src 'self'");
    }
  });

  it('keeps the first-load JavaScript within budget (console 150 KB, every storefront page 80 KB, gzipped)', async () => {
    const firstLoadJs = async (page: string) => {
      const html = (await t.http.get(page).expect(200)).text;
      const scripts = assetsOf(html).filter((a) => a.endsWith('.js'));
      expect(scripts.length).toBeGreaterThan(0);
      let bytes = 0;
      for (const script of scripts) bytes += gzipSync((await t.http.get(script).expect(200)).text).length;
      return bytes;
    };
    const consoleBytes = await firstLoadJs('/console');
    expect(consoleBytes).toBeGreaterThan(5_000);
    expect(consoleBytes).toBeLessThan(150 * 1024);
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    for (const page of ['/shop', `/shop/${product.slug}`, '/checkout', '/pay/6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c', '/track']) {
      const shopBytes = await firstLoadJs(page);
      // The whole storefront (pages, live updates, cart, checkout) and not a byte of a payment provider's code.
      expect(shopBytes).toBeGreaterThan(10_000);
      expect(shopBytes).toBeLessThan(80 * 1024);
    }
  });

  it('sends / to the console and leaves the API alone', async () => {
    const root = await t.http.get('/').expect(302);
    expect(root.headers.location).toBe('/console/');
    // An API answer that sets no caching of its own (GET /products now says no-cache itself, with an ETag) gets none
    // from the UI hosting either.
    const api = await t.http.get('/brand').expect(200);
    expect(api.headers['content-type']).toMatch(/application\/json/);
    expect(api.headers['cache-control']).toBeUndefined();
  });

  it('allows inline styles for Swagger UI at /docs only', async () => {
    const docs = await t.http.get('/docs').expect(200);
    expect(docs.text).toContain('swagger-ui');
    expect(docs.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    const docsAsset = /src="([^"]*swagger-ui-init\.js)"/.exec(docs.text)?.[1];
    expect(docsAsset).toBeDefined();
    await t.http.get(`/docs/${docsAsset!.split('/').pop()}`).expect(200);
    for (const path of ['/console/orders', '/shop', '/health', '/docs-json']) {
      expect((await t.http.get(path)).headers['content-security-policy']).not.toContain('unsafe-inline');
    }
  });
});
