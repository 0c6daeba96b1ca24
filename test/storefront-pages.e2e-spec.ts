import { buildAppAndHold } from './support/app-process.js';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';

/**
 * The storefront's server-rendered pages (src/storefront with the built renderer, dist/ssr): content and link-preview
 * tags in the HTML, everything a brand or product brings escaped, the page's data for the browser, the brand's colours
 * as a stylesheet, and the page's locale. Brand settings change app-wide: this file runs its own app and database.
 */
describe('storefront pages (server-rendered)', () => {
  let iso: IsolatedTestApp;
  let t: TestApp;
  let support: typeof import('./support/test-app.js');
  let adminToken: string;
  let releaseBuild: (() => void) | undefined;

  beforeAll(async () => {
    // Other test files build too, and a build empties dist/: none may run while this file reads it.
    releaseBuild = await buildAppAndHold();
    iso = await startIsolatedTestApp({});
    t = iso.t;
    support = await import('./support/test-app.js');
    adminToken = (await support.createAdmin(t)).token;
  });
  afterAll(async () => {
    await iso?.close();
    releaseBuild?.();
  });

  const metaContent = (html: string, key: string) =>
    new RegExp(`<meta (?:property|name)="${key.replace(/[:.]/g, '\\$&')}" content="([^"]*)"`).exec(html)?.[1];
  const pageData = (html: string) => JSON.parse(/<script type="application\/json" id="shop-data">([^<]*)<\/script>/.exec(html)![1]);

  it('renders a product page whole — title, price, stock, link-preview tags — and escapes everything the product brings', async () => {
    const hostile = '</script><script>alert(1)</script> $& "Kurta" <b>';
    const product = await createProductWithStock(t.prisma, [
      { stock: 4, priceMinor: 129950 },
      { stock: 0, priceMinor: 99900 },
    ]);
    await t.prisma.product.update({
      where: { id: product.id },
      data: { name: hostile, description: 'Soft & light <i>cotton</i>', images: ['https://cdn.example.com/k.jpg?a=1&b=2'] },
    });

    const res = await t.http.get(`/shop/${product.slug}`).set('Accept-Language', 'en-IN,en;q=0.8').expect(200);
    const html = res.text;
    expect(res.headers['vary']).toContain('Accept-Language');
    const escaped = '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; $&amp; &quot;Kurta&quot; &lt;b&gt;';
    expect(html).toContain(`<title>${escaped} — Orderline Demo</title>`);
    expect(metaContent(html, 'og:title')).toBe(`${escaped} — Orderline Demo`);
    expect(metaContent(html, 'og:type')).toBe('product');
    expect(metaContent(html, 'og:description')).toBe('Soft &amp; light &lt;i&gt;cotton&lt;/i&gt;');
    expect(metaContent(html, 'og:image')).toBe('https://cdn.example.com/k.jpg?a=1&amp;b=2');
    expect(metaContent(html, 'product:price:amount')).toBe('999.00');
    expect(metaContent(html, 'product:price:currency')).toBe('INR');
    expect(html).toMatch(/<link rel="canonical" href="http:\/\/127\.0\.0\.1:\d+\/shop\/fixture-[\w-]+" \/>/);
    // The content itself, for readers without JavaScript and for crawlers.
    // (Text content needs only "<" and "&" escaped; the renderer leaves ">" as it is.)
    expect(html).toContain('<h1>&lt;/script>&lt;script>alert(1)&lt;/script> $&amp; &quot;Kurta&quot; &lt;b></h1>');
    expect(html).toContain('₹1,299.50');
    expect(html).toContain('Only 4 left');
    // The only scripts: the built bundle, and the page's data (not code) in which "<" cannot end the element.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map(([, attributes]) => attributes.trim())).toEqual([
      expect.stringMatching(/^type="module" crossorigin src="\/assets\/shop-[\w-]+\.js"$/),
      'type="application/json" id="shop-data"',
    ]);
    const data = pageData(html);
    expect(data).toMatchObject({ route: { page: 'product', slug: product.slug }, locale: 'en-IN', brand: { name: 'Orderline Demo' } });
    expect(data.product.name).toBe(hostile);
    expect(data.product.variants.map((v: { available: number }) => v.available).sort()).toEqual([0, 4]);
    expect(Math.abs(Date.parse(data.serverTime) - Date.now())).toBeLessThan(10_000);
  });

  it('shows a product of an upcoming drop counting down to the drop, and one of an ended drop as ended, not for sale', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const startsAt = new Date(Date.now() + 3_600_000).toISOString();
    const drop = await t.http
      .post('/admin/drops')
      .set(support.bearer(adminToken))
      .send({ name: 'Page drop', startsAt, productIds: [product.id] })
      .expect(201);
    const upcoming = await t.http.get(`/shop/${product.slug}`).expect(200);
    expect(pageData(upcoming.text).product).toMatchObject({ purchasable: false, drop: { id: drop.body.id, startsAt, endsAt: null } });
    expect(upcoming.text).toContain('data-testid="drop-countdown"');
    expect(upcoming.text).toContain('Not on sale yet');

    await t.http
      .patch(`/admin/drops/${drop.body.id}`)
      .set(support.bearer(adminToken))
      .send({ startsAt: new Date(Date.now() - 60_000).toISOString() })
      .expect(200);
    await t.http.post(`/admin/drops/${drop.body.id}/end`).set(support.bearer(adminToken)).expect(200);
    const ended = await t.http.get(`/shop/${product.slug}`).expect(200);
    expect(pageData(ended.text).product).toMatchObject({ purchasable: false, drop: { endsAt: expect.any(String) } });
    expect(ended.text).not.toContain('data-testid="drop-countdown"');
    expect(ended.text).toContain('This drop has ended.');
    expect(ended.text).toMatch(/<button[^>]*disabled[^>]*>Drop ended<\/button>/);
  });

  it('answers an unknown or archived product with a 404 page that is not indexed, and a malformed order link with 404', async () => {
    const missing = await t.http.get('/shop/no-such-thing').expect(404);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
    expect(missing.text).toContain('<meta name="robots" content="noindex" />');
    expect(metaContent(missing.text, 'og:title')).toBeUndefined();
    const archived = await createProductWithStock(t.prisma, [{ stock: 1 }], { status: 'ARCHIVED' });
    await t.http.get(`/shop/${archived.slug}`).expect(404);
    await t.http.get('/pay/not-an-order').expect(404);
    const pay = await t.http.get('/pay/6F1C2A8E-2B7E-4B8E-9A53-0D1C2F3A4B5C').expect(200);
    expect(pay.text).toContain('<meta name="robots" content="noindex" />');
    expect(pageData(pay.text).route).toEqual({ page: 'pay', orderId: '6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c' });
  });

  it('lists the shop with its products, and gives checkout the payment methods with their public keys', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 2 }]);
    const grid = await t.http.get('/shop').expect(200);
    expect(grid.text).toContain(product.name);
    expect(metaContent(grid.text, 'og:type')).toBe('website');
    expect(pageData(grid.text).products.some((p: { id: string }) => p.id === product.id)).toBe(true);
    const checkout = await t.http.get('/checkout').expect(200);
    expect(pageData(checkout.text).paymentOptions).toEqual(
      expect.arrayContaining([{ method: 'COD' }, { method: 'STRIPE', publicKey: 'pk_test_simulator' }]),
    );
    expect(checkout.text).toContain('<meta name="robots" content="noindex" />');
  });

  it("formats in the reader's language when it can, and in the brand's otherwise", async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 20, priceMinor: 12345678 }]);
    const german = await t.http.get(`/shop/${product.slug}`).set('Accept-Language', 'de-DE,de;q=0.9').expect(200);
    expect(pageData(german.text).locale).toBe('de-DE');
    expect(german.text).toContain('<html lang="de-DE">');
    expect(german.text).toContain('123.456,78');
    const indian = await t.http.get(`/shop/${product.slug}`).set('Accept-Language', 'xx-invalid;;,*').expect(200);
    expect(pageData(indian.text).locale).toBe('en-IN');
    expect(indian.text).toContain('₹1,23,456.78');
  });

  it("dresses the pages in the brand's logo and colour, with readable contrast, from a stylesheet cached by version", async () => {
    const auth = support.bearer(adminToken);
    const plain = await t.http.get('/shop').expect(200);
    expect(plain.text).not.toContain('/shop/theme.css');

    await t.http
      .patch('/admin/settings')
      .set(auth)
      .send({ brandName: 'Indigo & Co.', logoUrl: '/brand/logo.svg', brandColor: '#ffeb3b' })
      .expect(200);
    const html = (await t.http.get('/shop').expect(200)).text;
    expect(html).toContain('alt="Indigo &amp; Co."');
    expect(html).toContain('src="/brand/logo.svg"');
    const href = /<link rel="stylesheet" href="(\/shop\/theme\.css\?v=[0-9a-f]{10})" \/>/.exec(html)?.[1];
    expect(href).toBeDefined();
    // After the bundle's own stylesheets, so its colours win.
    expect(html.indexOf(href!)).toBeGreaterThan(html.lastIndexOf('/assets/shop-'));
    const css = await t.http.get(href!).expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // Yellow: dark text on it, and a darker shade for links.
    expect(css.text).toMatch(/^:root\{--brand:#ffeb3b;--brand-strong:#[0-9a-f]{6};--on-brand:#16181d;--focus:#[0-9a-f]{6}\}/);
    const stale = await t.http.get('/shop/theme.css?v=0000000000').expect(200);
    expect(stale.headers['cache-control']).toBe('no-cache');
    expect(metaContent(html, 'og:image')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/brand\/logo\.svg$/);
  });

  describe('in platform mode', () => {
    const PLATFORM_DOMAIN = 'shops.orderline.test';
    let platform: IsolatedTestApp;
    let brand: { id: string; slug: string; productSlug: string; productName: string };

    beforeAll(async () => {
      platform = await startIsolatedTestApp({ PLATFORM_MODE: 'true', PLATFORM_DOMAIN });
      const p = platform.t;
      const owner = await p.http
        .post('/auth/register')
        .send({ email: 'owner@gamma.example', password: 'ownerpass123', name: 'Gamma Owner', brandName: 'Gamma Goods' })
        .expect(201);
      const id = (JSON.parse(Buffer.from(owner.body.accessToken.split('.')[1], 'base64url').toString()) as { brand: string }).brand;
      await p.http.patch('/admin/settings').set(support.bearer(owner.body.accessToken)).send({ brandColor: '#0a7d4f' }).expect(200);
      const { BrandContext } = await import('../src/common/context/brand-context.js');
      const product = await BrandContext.run(id, async () => {
        const created = await createProductWithStock(p.prisma, [{ stock: 5, priceMinor: 45000 }]);
        return p.prisma.product.update({ where: { id: created.id }, data: { name: 'Gamma Kettle' } });
      });
      brand = {
        id,
        slug: (await p.prisma.brand.findUniqueOrThrow({ where: { id } })).slug,
        productSlug: product.slug,
        productName: product.name,
      };
    });
    afterAll(() => platform?.close());

    /** The page's own links (not its built bundle): what a shopper follows from it. */
    const pageLinks = (html: string) =>
      [...html.matchAll(/href="(\/[^"]*)"/g)]
        .map((m) => m[1])
        .filter((href) => !href.startsWith('/assets/') && !href.startsWith('/favicon'));

    it("keeps a brand's storefront under its path prefix: its products, its links, its stylesheet, its page URL", async () => {
      const base = `/b/${brand.slug}`;
      const grid = await platform.t.http.get(`${base}/shop`).expect(200);
      expect(pageData(grid.text)).toMatchObject({ base, brand: { name: 'Gamma Goods' } });
      expect(grid.text).toContain('Gamma Kettle');
      const links = pageLinks(grid.text);
      expect(links).toEqual(
        expect.arrayContaining([`${base}/shop`, `${base}/track`, `${base}/checkout`, `${base}/shop/${brand.productSlug}`]),
      );
      expect(links.filter((href) => !href.startsWith(`${base}/`))).toEqual([]);
      expect(grid.text).toMatch(new RegExp(`<link rel="stylesheet" href="${base}/shop/theme\\.css\\?v=[\\w-]+" />`));
      expect(metaContent(grid.text, 'og:url')).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${base}/shop$`));

      const page = await platform.t.http.get(`${base}/shop/${brand.productSlug}`).expect(200);
      expect(metaContent(page.text, 'og:url')).toMatch(new RegExp(`${base}/shop/${brand.productSlug}$`));
      expect(pageLinks(page.text).filter((href) => !href.startsWith(`${base}/`))).toEqual([]);
      const checkout = await platform.t.http.get(`${base}/checkout`).expect(200);
      expect(pageData(checkout.text).base).toBe(base);
      // The default brand's storefront, with no prefix, does not have the product.
      await platform.t.http.get(`/shop/${brand.productSlug}`).expect(404);
    });

    it("serves a brand's storefront on its own host with plain links", async () => {
      const grid = await platform.t.http.get('/shop').set('Host', `${brand.slug}.${PLATFORM_DOMAIN}`).expect(200);
      expect(pageData(grid.text)).toMatchObject({ base: '', brand: { name: 'Gamma Goods' } });
      expect(pageLinks(grid.text)).toContain(`/shop/${brand.productSlug}`);
      expect(pageLinks(grid.text).filter((href) => href.startsWith('/b/'))).toEqual([]);
    });

    it("opens a brand's console under its prefix, on any deep link", async () => {
      const base = `/b/${brand.slug}`;
      await platform.t.http.get(`${base}/`).expect(302).expect('Location', `${base}/console/`);
      const deep = await platform.t.http.get(`${base}/console/orders/${brand.id}`).expect(200);
      expect(deep.headers['content-type']).toMatch(/text\/html/);
      expect(deep.text).toContain('<div id="app">');
    });
  });
});
