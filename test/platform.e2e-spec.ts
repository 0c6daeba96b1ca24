import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { ProviderSimulator } from './provider-simulator/provider-simulator.js';
import { stripeSignature } from './provider-simulator/stripe-simulator.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { uniqueEmail } from './support/helpers.js';
import { discoverRoutes } from './support/routes.js';
import pg from 'pg';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { BrandContext, DEFAULT_BRAND_ID } from '../src/common/context/brand-context.js';
import { LogChannel } from '../src/notifications/channels/log.channel.js';
import type { NotificationMessage } from '../src/notifications/notification-channel.js';
import { NotificationsService } from '../src/notifications/notifications.service.js';

const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const PLATFORM_DOMAIN = 'shops.orderline.test';
const PUBLIC_URL = 'https://orderline.test';
/**
 * Routes whose path value is no row id, answered 200 whatever it is (the leak check still applies): the payment page
 * is a shell (the page fetches the order with its guest token), and a phone's returned-parcel count is the asking brand's.
 */
const SHOWS_NOTHING_OF_IDS = new Set(['GET /pay/:orderId', 'GET /shipping/customers/:phone/rto']);
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

interface SignedUp {
  id: string;
  slug: string;
  token: string;
  email: string;
  webhookSecret: string;
  product: { id: string; slug: string; variantId: string };
}

/**
 * Platform mode on its own database: brands sign up, a platform admin suspends and reactivates them, requests find
 * their brand by path prefix, host or token, and each brand's payments are verified with its own webhook secret only.
 * Brands A and B sell a product with the same slug and SKU.
 */
describe('platform mode (many brands on one install)', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let sim: ProviderSimulator;
  let a: SignedUp;
  let b: SignedUp;
  let platformAdmin: string;
  const productSlug = `same-${randomUUID().slice(0, 6)}`;
  const sku = `SAME-${randomUUID().slice(0, 6)}`;

  async function signUp(name: string): Promise<SignedUp> {
    const email = uniqueEmail('owner');
    const res = await t.http
      .post('/auth/register')
      .send({ email, password: 'ownerpass123', name: `${name} Owner`, brandName: `${name} ${randomUUID().slice(0, 4)}` })
      .expect(201);
    expect(res.body.user).toMatchObject({ role: 'ADMIN', owner: true, email });
    const id = brandIdOfToken(res.body.accessToken);
    const slug = (await t.prisma.brand.findUniqueOrThrow({ where: { id } })).slug;
    const webhookSecret = `whsec_${slug.replace(/-/g, '')}`;
    // The brand's own provider keys (the simulator's API key; its own webhook secret), set through its console API.
    await t.http
      .patch('/admin/settings')
      .set(bearer(res.body.accessToken))
      .send({ credentials: { stripe: { secretKey: sim.stripe.config.secretKey, publishableKey: 'pk_test_brand', webhookSecret } } })
      .expect(200);
    const product = await BrandContext.run(id, async () => {
      const fixture = await createProductWithStock(t.prisma, [{ stock: 20, priceMinor: 25000 }]);
      await t.prisma.product.update({ where: { id: fixture.id }, data: { slug: productSlug } });
      await t.prisma.variant.update({ where: { id: fixture.variants[0].id }, data: { sku } });
      return { id: fixture.id, slug: productSlug, variantId: fixture.variants[0].id };
    });
    return { id, slug, token: res.body.accessToken, email, webhookSecret, product };
  }

  const brandIdOfToken = (token: string): string =>
    (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { brand: string }).brand;

  /** A Stripe checkout of one unit in the brand, under its path prefix; the provider's PaymentIntent. */
  async function stripeCheckout(brand: SignedUp) {
    const res = await t.http
      .post(`/b/${brand.slug}/orders/checkout`)
      .send(checkoutBody([{ variantId: brand.product.variantId, quantity: 1 }], { paymentMethod: 'stripe' }))
      .expect(201);
    expect(res.body.paymentError).toBeUndefined();
    const intent = sim.stripe.paymentIntents.get(res.body.payment.paymentIntentId as string)!;
    return { orderId: res.body.order.id as string, intent };
  }

  /** The provider's payment_intent.succeeded event for an intent, signed with `secret`, delivered to `path`. */
  async function deliverPaid(intentId: string, secret: string, path: string) {
    const [succeeded] = sim.stripe.pay(intentId).filter((e) => e.type === 'payment_intent.succeeded');
    return deliver(succeeded.body, secret, path);
  }
  const deliver = (body: string, secret: string, path: string) =>
    t.http.post(path).set('Content-Type', 'application/json').set('Stripe-Signature', stripeSignature(secret, body)).send(body);

  const orderStatus = (brand: SignedUp, orderId: string) =>
    BrandContext.run(brand.id, async () => (await t.prisma.order.findUniqueOrThrow({ where: { id: orderId } })).status);

  beforeAll(async () => {
    sim = await ProviderSimulator.start();
    isolated = await startIsolatedTestApp({ ...sim.env(), PLATFORM_MODE: 'true', PLATFORM_DOMAIN, PUBLIC_URL, ENCRYPTION_KEY });
    t = isolated.t;
    a = await signUp('Alpha Teas');
    b = await signUp('Beta Beans');
    const email = uniqueEmail('platform');
    await t.prisma.user.create({
      data: { email, passwordHash: await bcrypt.hash('platformpass123', 4), name: 'Platform', role: 'PLATFORM_ADMIN' },
    });
    platformAdmin = (await t.http.post('/auth/login').send({ email, password: 'platformpass123' }).expect(200)).body.accessToken;
  });

  afterAll(async () => {
    await isolated?.close();
    await sim?.stop();
  });

  it('signs a brand up with its owner in one go, and refuses a taken slug without leaving anything behind', async () => {
    expect(a.id).not.toBe(b.id);
    const owner = await BrandContext.run(a.id, () => t.prisma.user.findFirstOrThrow({ where: { email: a.email } }));
    expect(owner).toMatchObject({ brandId: a.id, role: 'ADMIN', owner: true });
    const registered = await BrandContext.run(a.id, () => t.prisma.auditLog.findFirst({ where: { action: 'brand.registered' } }));
    expect(registered?.entityId).toBe(a.id);
    // Each brand numbers its orders from its own sequence, and has its settings row.
    expect(await BrandContext.run(a.id, () => t.prisma.brandSettings.count())).toBe(1);

    const email = uniqueEmail('taken');
    const taken = await t.http
      .post('/auth/register')
      .send({ email, password: 'ownerpass123', name: 'Late', brandName: 'Someone Else', brandSlug: a.slug })
      .expect(409);
    expect(taken.body.message).toContain(a.slug);
    expect(await t.prisma.brand.count({ where: { name: 'Someone Else' } })).toBe(0);
    const bad = await t.http
      .post('/auth/register')
      .send({ email, password: 'ownerpass123', name: 'Bad', brandName: 'X', brandSlug: 'Not A Slug' })
      .expect(400);
    expect(bad.body.details).toEqual([{ field: 'brandSlug', errors: [expect.stringContaining('brandSlug')] }]);
  });

  it('finds the brand of a public route by path prefix, by mapped host and by subdomain; the same slug is each brand’s own', async () => {
    const viaA = await t.http.get(`/b/${a.slug}/products/${productSlug}`).expect(200);
    const viaB = await t.http.get(`/b/${b.slug}/products/${productSlug}`).expect(200);
    expect(viaA.body.id).toBe(a.product.id);
    expect(viaB.body.id).toBe(b.product.id);
    // No brand named: the default brand, which has no such product.
    await t.http.get(`/products/${productSlug}`).expect(404);
    await t.http.get(`/b/no-such-brand-${randomUUID().slice(0, 4)}/products`).expect(404);

    await t.http
      .put(`/platform/brands/${a.id}/hosts`)
      .set(bearer(platformAdmin))
      .send({ hosts: ['shop.alpha.test'] })
      .expect(200);
    const byHost = await t.http.get(`/products/${productSlug}`).set('Host', 'shop.alpha.test').expect(200);
    expect(byHost.body.id).toBe(a.product.id);
    const bySubdomain = await t.http.get(`/products/${productSlug}`).set('Host', `${b.slug}.${PLATFORM_DOMAIN}`).expect(200);
    expect(bySubdomain.body.id).toBe(b.product.id);
    // A host belongs to one brand.
    await t.http
      .put(`/platform/brands/${b.id}/hosts`)
      .set(bearer(platformAdmin))
      .send({ hosts: ['shop.alpha.test'] })
      .expect(409);
    await t.http
      .put(`/platform/brands/${b.id}/hosts`)
      .set(bearer(platformAdmin))
      .send({ hosts: ['Not a host'] })
      .expect(400);
  });

  it("links each brand's customer messages to that brand's own shop, absolute: its mapped host, else its subdomain", async () => {
    // Brand A has a mapped host (the test above); brand B is reached at its subdomain; the default brand at PUBLIC_URL.
    const sent: NotificationMessage[] = [];
    const spy = jest.spyOn(LogChannel.prototype, 'send').mockImplementation((message) => {
      sent.push(message);
      return Promise.resolve();
    });
    try {
      const notifications = t.app.get(NotificationsService);
      const notify = (brand: { id: string }, item: boolean) =>
        BrandContext.run(brand.id, () =>
          notifications.deliver('log', {
            id: randomUUID(),
            event: item ? 'waitlist.back_in_stock' : 'waitlist.drop_open',
            createdAt: new Date(),
            payload: {
              entryId: randomUUID(),
              customer: { name: '', email: null, phone: '+919800000042' },
              item: item ? { variantId: randomUUID(), productName: 'Tea', variantName: '1 kg', productSlug, available: 3 } : null,
              drop: item ? null : { id: randomUUID(), name: 'Launch', opensAt: new Date().toISOString() },
            },
          }),
        );
      await notify(b, true);
      await notify(a, true);
      await notify({ id: DEFAULT_BRAND_ID }, false);
      const links = sent.map((m) => m.content.whatsappParameters[3]);
      expect(links).toEqual([
        `https://${b.slug}.${PLATFORM_DOMAIN}/shop/${productSlug}`,
        `https://shop.alpha.test/shop/${productSlug}`,
        `${PUBLIC_URL}/shop`,
      ]);
      sent.forEach((m, i) => expect(m.content.emailText).toContain(`Shop: ${links[i]}\n`));
    } finally {
      spy.mockRestore();
    }
  });

  it("serves the console by the token's brand, and refuses a token on another brand's routes", async () => {
    const orderA = await t.http
      .post(`/b/${a.slug}/orders/checkout`)
      .send(checkoutBody([{ variantId: a.product.variantId, quantity: 1 }]))
      .expect(201);
    expect(orderA.body.order.number).toBe('OL-000001');
    const listed = await t.http.get('/orders').set(bearer(a.token)).expect(200);
    expect(JSON.stringify(listed.body)).toContain(orderA.body.order.id);
    const listedB = await t.http.get('/orders').set(bearer(b.token)).expect(200);
    expect(JSON.stringify(listedB.body)).not.toContain(orderA.body.order.id);
    await t.http.get(`/orders/${orderA.body.order.id}`).set(bearer(b.token)).expect(404);
    await t.http.get(`/b/${a.slug}/orders`).set(bearer(b.token)).expect(401);
    // Sign-in under the brand's prefix: the same email may belong to another brand's account.
    const login = await t.http
      .post(`/b/${a.slug}/auth/login`)
      .send({ email: a.email, password: 'ownerpass123', refreshCookie: true })
      .expect(200);
    expect(brandIdOfToken(login.body.accessToken)).toBe(a.id);
    expect(JSON.stringify(login.headers['set-cookie'])).toContain(`Path=/b/${a.slug}/auth`);
    await t.http.post(`/b/${b.slug}/auth/login`).send({ email: a.email, password: 'ownerpass123' }).expect(401);
  });

  it('lets only a platform admin list, suspend and reactivate brands; a suspended brand is refused but its money is recorded', async () => {
    await t.http.get('/platform/brands').set(bearer(a.token)).expect(403);
    const list = await t.http.get('/platform/brands').set(bearer(platformAdmin)).expect(200);
    expect(list.body.map((brand: { id: string }) => brand.id)).toEqual(expect.arrayContaining([DEFAULT_BRAND_ID, a.id, b.id]));
    // A platform admin is no brand's admin.
    await t.http.get('/orders').set(bearer(platformAdmin)).expect(403);
    await t.http.post(`/platform/brands/${DEFAULT_BRAND_ID}/suspend`).set(bearer(platformAdmin)).expect(409);

    const pending = await stripeCheckout(b);
    const suspended = await t.http.post(`/platform/brands/${b.id}/suspend`).set(bearer(platformAdmin)).expect(200);
    expect(suspended.body).toMatchObject({ id: b.id, status: 'SUSPENDED' });
    for (const res of [
      await t.http.get(`/b/${b.slug}/products`),
      await t.http.get(`/b/${b.slug}/shop`),
      await t.http.post(`/b/${b.slug}/orders/checkout`).send(checkoutBody([{ variantId: b.product.variantId, quantity: 1 }])),
      await t.http.post(`/b/${b.slug}/auth/login`).send({ email: b.email, password: 'ownerpass123' }),
      await t.http.get('/orders').set(bearer(b.token)),
      await t.http.get('/products').set('Host', `${b.slug}.${PLATFORM_DOMAIN}`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('suspended');
    }
    // The customer had already paid at the provider: the webhook is still applied.
    const paid = await deliverPaid(pending.intent.id, b.webhookSecret, `/webhooks/stripe/${b.slug}`);
    expect(paid.status).toBe(200);
    expect(await orderStatus(b, pending.orderId)).toBe('PAID');
    // Brand A is untouched.
    await t.http.get(`/b/${a.slug}/products`).expect(200);

    await t.http.post(`/platform/brands/${b.id}/reactivate`).set(bearer(platformAdmin)).expect(200);
    await t.http.get('/orders').set(bearer(b.token)).expect(200);
    const trail = await BrandContext.run(b.id, () =>
      t.prisma.auditLog.findMany({ where: { entityType: 'brand', entityId: b.id }, orderBy: { createdAt: 'asc' } }),
    );
    expect(trail.map((entry) => entry.action)).toEqual(['brand.registered', 'brand.suspended', 'brand.reactivated']);
  });

  it("verifies each brand's webhooks with that brand's secret only, and records both brands' payments", async () => {
    const fromA = await stripeCheckout(a);
    const fromB = await stripeCheckout(b);
    // The provider's metadata carries the order, the brand id and the brand slug.
    expect(fromA.intent.metadata).toMatchObject({ orderId: fromA.orderId, brandId: a.id, brand: a.slug });
    expect(fromB.intent.metadata).toMatchObject({ orderId: fromB.orderId, brandId: b.id, brand: b.slug });

    const [paidB] = sim.stripe.pay(fromB.intent.id).filter((e) => e.type === 'payment_intent.succeeded');
    // Brand B's order, signed with brand A's secret: refused on B's route, never stored.
    const forged = await deliver(paidB.body, a.webhookSecret, `/webhooks/stripe/${b.slug}`);
    expect(forged.status).toBe(400);
    // On A's route the signature is A's, but the order is not A's: nothing of B's changes.
    const misrouted = await deliver(paidB.body, a.webhookSecret, `/webhooks/stripe/${a.slug}`);
    expect(misrouted.status).toBe(200);
    // The install's own secret (the environment's: the default brand's) verifies nothing of another brand.
    expect((await deliver(paidB.body, sim.stripe.config.webhookSecret, `/webhooks/stripe/${b.slug}`)).status).toBe(400);
    expect(await orderStatus(b, fromB.orderId)).toBe('PAYMENT_PENDING');

    expect((await deliver(paidB.body, b.webhookSecret, `/webhooks/stripe/${b.slug}`)).status).toBe(200);
    expect((await deliverPaid(fromA.intent.id, a.webhookSecret, `/webhooks/stripe/${a.slug}`)).status).toBe(200);
    expect(await orderStatus(a, fromA.orderId)).toBe('PAID');
    expect(await orderStatus(b, fromB.orderId)).toBe('PAID');
    const captured = async (brand: SignedUp) =>
      BrandContext.run(brand.id, () =>
        t.prisma.payment.findMany({ where: { status: 'SUCCEEDED' }, select: { orderId: true, brandId: true } }),
      );
    expect(await captured(a)).toEqual([{ orderId: fromA.orderId, brandId: a.id }]);
    expect(await captured(b)).toContainEqual({ orderId: fromB.orderId, brandId: b.id });
    expect((await captured(b)).filter((p) => p.brandId !== b.id || p.orderId === fromA.orderId)).toEqual([]);
    await t.http.post(`/webhooks/stripe/no-such-brand`).set('Content-Type', 'application/json').send('{}').expect(404);
  });

  /** Brand B's rows as the superuser sees them (it bypasses row-level security): counts and contents per table. */
  async function fingerprintOf(brandId: string): Promise<Record<string, string>> {
    const superuser = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await superuser.connect();
    try {
      const { rows: tables } = await superuser.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE a.attname = 'brand_id' AND c.relkind = 'r' AND n.nspname = current_schema() AND NOT a.attisdropped ORDER BY 1`,
      );
      const result: Record<string, string> = {};
      for (const { name } of tables) {
        const { rows } = await superuser.query<{ n: number; h: string }>(
          `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS h FROM "${name}" x WHERE brand_id = $1`,
          [brandId],
        );
        result[name] = `${rows[0].n}:${rows[0].h}`;
      }
      return result;
    } finally {
      await superuser.end();
    }
  }

  it("answers brand A's admin on every route, given brand B's ids, as if they did not exist, and changes nothing of B's", async () => {
    // Brand B's rows of every kind a route takes an id of (what it has none of, a random id stands for).
    const placed = await t.http
      .post(`/b/${b.slug}/orders/checkout`)
      .send(checkoutBody([{ variantId: b.product.variantId, quantity: 1 }]))
      .expect(201);
    const order = placed.body.order as { id: string; phone: string };
    const owner = await BrandContext.run(b.id, () => t.prisma.user.findFirstOrThrow({ where: { email: b.email } }));
    const outbox = await BrandContext.run(b.id, () => t.prisma.outboxMessage.findFirstOrThrow());
    const secretsOfB = [order.id, b.product.id, b.product.variantId, owner.id, outbox.id];
    const idFor = (path: string) =>
      path.startsWith('/products/')
        ? b.product.id
        : path.startsWith('/variants/')
          ? b.product.variantId
          : path.startsWith('/admin/staff/')
            ? owner.id
            : path.startsWith('/admin/outbox/')
              ? outbox.id
              : /^\/(live\/)?orders\//.test(path)
                ? order.id
                : randomUUID();
    const params = (path: string): Record<string, string> => ({
      id: idFor(path),
      variantId: b.product.variantId,
      returnId: randomUUID(),
      phone: encodeURIComponent(order.phone),
    });
    const url = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => params(path)[name] ?? randomUUID());

    const routes = discoverRoutes(t.app).filter(
      (route) =>
        route.access !== 'PLATFORM_ADMIN' &&
        // Event streams without an id stay open (each brand's stream is its own: they read through the same policy).
        !(route.path.startsWith('/live/') && !route.path.includes(':')) &&
        !route.path.endsWith('/live') &&
        !route.path.startsWith('/webhooks/') &&
        !['/health', '/metrics', '/docs'].some((prefix) => route.path.startsWith(prefix)),
    );
    expect(routes.filter((route) => route.access === 'ADMIN').length).toBeGreaterThanOrEqual(30);
    const before = await fingerprintOf(b.id);
    const wrong: string[] = [];
    for (const route of routes) {
      // Under brand A's path prefix, with A's owner token: A's request through and through.
      const target = `/b/${a.slug}${url(route.path)}`;
      let req = (t.http as any)[route.method.toLowerCase()](target).set(bearer(a.token));
      if (route.method !== 'GET' && route.method !== 'DELETE') req = req.send({});
      const res = await req;
      const body = res.text || JSON.stringify(res.body);
      // (A 404 may name the id it was asked for; any other of B's ids in an answer is a leak.)
      const leaked = secretsOfB.filter((id) => body.includes(id) && !target.includes(id));
      const takesId = route.path.includes(':');
      // Reads of B's ids are 404; a write may be refused for its (empty) body first, as long as nothing of B changes.
      const allowed = SHOWS_NOTHING_OF_IDS.has(`${route.method} ${route.path}`)
        ? res.status === 200 || res.status === 404
        : !takesId
          ? res.status < 500
          : route.method === 'GET'
            ? res.status === 404
            : [400, 404].includes(res.status);
      if (!allowed || leaked.length)
        wrong.push(`${route.method} ${route.path} (${route.access}): ${res.status}${leaked.length ? ' leaked ' + leaked.join(',') : ''}`);
    }
    expect(wrong).toEqual([]);
    expect(await fingerprintOf(b.id)).toEqual(before);
  });
});
