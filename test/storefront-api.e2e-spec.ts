import { randomUUID } from 'node:crypto';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

/**
 * The API the hosted storefront needs: the brand's public profile (with logo and colour), payment methods with their
 * public keys, checkout with a phone and no email, and order tracking by number and phone. Brand settings change
 * app-wide and the tracking test turns rate limits on, so this file runs its own app on its own database.
 */
describe('storefront API', () => {
  let iso: IsolatedTestApp;
  let t: TestApp;
  let support: typeof import('./support/test-app.js');
  let adminToken: string;

  beforeAll(async () => {
    iso = await startIsolatedTestApp({
      TRACKING_URL_TEMPLATE: 'https://track.example/{carrier}/{trackingNumber}',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LIMIT: '10000',
      RATE_LIMIT_STRICT_LIMIT: '30',
    });
    t = iso.t;
    support = await import('./support/test-app.js');
    adminToken = (await support.createAdmin(t)).token;
  });
  afterAll(async () => {
    await iso?.close();
  });

  const admin = () => support.bearer(adminToken);

  describe('brand profile', () => {
    it('is public, and shows the logo and colour admins set (validated, the colour normalised)', async () => {
      expect((await t.http.get('/brand').expect(200)).body).toEqual({
        name: 'Orderline Demo',
        slug: 'orderline-demo',
        logoUrl: null,
        brandColor: null,
        supportEmail: null,
        supportPhone: null,
        defaultCurrency: 'INR',
      });
      const set = await t.http
        .patch('/admin/settings')
        .set(admin())
        .send({ logoUrl: 'https://cdn.indigo.example/logo.svg', brandColor: '#1F6' })
        .expect(200);
      expect(set.body).toMatchObject({ logoUrl: 'https://cdn.indigo.example/logo.svg', brandColor: '#11ff66' });
      expect((await t.http.get('/brand').expect(200)).body).toMatchObject({
        logoUrl: 'https://cdn.indigo.example/logo.svg',
        brandColor: '#11ff66',
      });
      await t.http.patch('/admin/settings').set(admin()).send({ logoUrl: '/brand/logo.png', brandColor: '#1f6f5c' }).expect(200);
      expect((await t.http.get('/brand').expect(200)).body).toMatchObject({ logoUrl: '/brand/logo.png', brandColor: '#1f6f5c' });

      const before = await t.prisma.brandSettings.findUniqueOrThrow({ where: { id: 1 } });
      for (const logoUrl of [
        'http://cdn.example/logo.png',
        'javascript:alert(1)',
        '//evil.example/logo.png',
        'data:image/png;base64,AAAA',
        'logo.png',
        'https://x y.example/',
      ]) {
        const bad = await t.http.patch('/admin/settings').set(admin()).send({ logoUrl }).expect(400);
        expect(bad.body.details).toEqual([
          { field: 'logoUrl', errors: ['logoUrl must be an https:// URL or a path on this site starting with /'] },
        ]);
      }
      for (const brandColor of ['red', '#12345', '#gggggg', 'rgb(0,0,0)', '1f6f5c']) {
        const bad = await t.http.patch('/admin/settings').set(admin()).send({ brandColor }).expect(400);
        expect(bad.body.details).toEqual([{ field: 'brandColor', errors: ['brandColor must be a hex colour such as #1f6f5c'] }]);
      }
      expect(await t.prisma.brandSettings.findUniqueOrThrow({ where: { id: 1 } })).toEqual(before);

      await t.http.patch('/admin/settings').set(admin()).send({ logoUrl: null, brandColor: null }).expect(200);
      expect((await t.http.get('/brand').expect(200)).body).toMatchObject({ logoUrl: null, brandColor: null });
      const [audit] = await t.prisma.auditLog.findMany({ where: { action: 'settings.updated' }, orderBy: { id: 'desc' }, take: 1 });
      expect(audit.before).toMatchObject({ logoUrl: '/brand/logo.png', brandColor: '#1f6f5c' });
    });
  });

  describe('payment methods', () => {
    it('lists each enabled method with the public key a browser loads its checkout with, and never a secret', async () => {
      const res = await t.http.get('/payments/methods').expect(200);
      expect(res.body.methods.sort()).toEqual(['COD', 'RAZORPAY', 'STRIPE']);
      expect(res.body.options).toEqual(
        expect.arrayContaining([
          { method: 'STRIPE', publicKey: 'pk_test_simulator' },
          { method: 'RAZORPAY', publicKey: 'rzp_test_simulator' },
          { method: 'COD' },
        ]),
      );
      expect(res.body.options).toHaveLength(3);
      expect(JSON.stringify(res.body)).not.toMatch(/sk_test|secret|whsec/);
    });
  });

  describe('checkout contact', () => {
    it('needs a phone, and takes email as optional (absent or blank is stored as none)', async () => {
      const product = await createProductWithStock(t.prisma, [{ stock: 10 }]);
      const line = [{ variantId: product.variants[0].id, quantity: 1 }];
      const base = checkoutBody(line);
      const withoutEmail = { ...base, contact: { name: base.contact.name, phone: base.contact.phone } };
      const placed = await t.http.post('/orders/checkout').send(withoutEmail).expect(201);
      expect(placed.body.order).toMatchObject({ email: null, phone: base.contact.phone, status: 'CONFIRMED' });
      const blank = await t.http
        .post('/orders/checkout')
        .send({ ...base, contact: { ...base.contact, email: '  ' } })
        .expect(201);
      expect(blank.body.order.email).toBeNull();
      const upper = await t.http
        .post('/orders/checkout')
        .send({ ...base, contact: { ...base.contact, email: ' Asha@Example.COM ' } })
        .expect(201);
      expect(upper.body.order.email).toBe('asha@example.com');

      const bad = await t.http
        .post('/orders/checkout')
        .send({ ...base, contact: { name: 'Asha', email: 'not-an-email' } })
        .expect(400);
      expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['contact.email', 'contact.phone']);

      // No email, no email notification; the order is still found by number and phone.
      const outbox = await t.prisma.outboxMessage.findMany({ where: { aggregateId: placed.body.order.id } });
      expect(outbox.every((m) => m.destination !== 'channel:email')).toBe(true);
      const found = await t.http
        .post('/orders/lookup')
        .send({ orderNumber: placed.body.order.number, phone: base.contact.phone })
        .expect(200);
      expect(found.body.id).toBe(placed.body.order.id);
    });
  });

  describe('order tracking', () => {
    it('shows status, timeline, carrier and tracking link for the right number and phone, however the phone is written', async () => {
      const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
      const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 2 }], {
        contact: { name: 'Asha Rao', email: 'asha@example.com', phone: '+919812345670' },
      });
      const { order } = (await t.http.post('/orders/checkout').send(body).expect(201)).body;
      await t.http.post(`/orders/${order.id}/fulfill`).set(admin()).send({ carrier: 'Delhivery', trackingNumber: 'DL 123/45' }).expect(200);

      for (const [orderNumber, phone] of [
        [order.number, '+919812345670'],
        [order.number.replace('OL-', '').replace(/^0+/, ''), '98123 45670'],
        [order.number.toLowerCase(), '098123-45670'],
      ]) {
        const res = await t.http.post('/orders/track').send({ orderNumber, phone }).expect(200);
        expect(res.body).toEqual({
          number: order.number,
          status: 'FULFILLED',
          paymentMethod: 'COD',
          currency: 'INR',
          totalMinor: order.totalMinor,
          items: [{ productName: product.name, variantName: product.variants[0].name, quantity: 2 }],
          timeline: [
            { status: 'CREATED', event: 'CHECKOUT', at: expect.any(String) },
            { status: 'CONFIRMED', event: 'CONFIRM_COD', at: expect.any(String) },
            { status: 'FULFILLED', event: 'FULFILL', at: expect.any(String) },
          ],
          carrier: 'Delhivery',
          trackingNumber: 'DL 123/45',
          trackingUrl: 'https://track.example/Delhivery/DL%20123%2F45',
          carrierStatus: null,
          placedAt: order.createdAt,
        });
        // Nothing about who the customer is or where they live.
        expect(JSON.stringify(res.body)).not.toMatch(/Asha|asha@|MG Road|Bengaluru|9812345670/);
      }
    });

    it('answers a wrong phone exactly like an unknown or malformed number: it reveals nothing', async () => {
      const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
      const { order } = (
        await t.http
          .post('/orders/checkout')
          .send(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]))
          .expect(201)
      ).body;
      const answers = [];
      for (const attempt of [
        { orderNumber: order.number, phone: '+919000000000' },
        { orderNumber: 'OL-999999999', phone: order.phone },
        { orderNumber: 'not a number', phone: order.phone },
      ]) {
        const res = await t.http.post('/orders/track').send(attempt).expect(404);
        const { statusCode, error, message } = res.body;
        answers.push({ statusCode, error, message, keys: Object.keys(res.body).sort() });
      }
      expect(answers[0]).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'Order not found',
        keys: ['error', 'message', 'statusCode'],
      });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);

      const invalid = await t.http.post('/orders/track').send({ orderNumber: order.number }).expect(400);
      expect(invalid.body.details).toEqual([{ field: 'phone', errors: expect.any(Array) }]);
      await t.http.post('/orders/track').send({ orderNumber: order.number, phone: order.phone, email: 'x@example.com' }).expect(400);
    });

    it('is strictly rate-limited per client', async () => {
      let limited: { status: number; headers: Record<string, string>; body: any } | undefined;
      for (let i = 0; i < 40 && !limited; i++) {
        const res = await t.http.post('/orders/track').send({ orderNumber: `OL-${randomUUID().slice(0, 6)}`, phone: '+919000000001' });
        if (res.status === 429) limited = res;
        else expect(res.status).toBe(404);
      }
      expect(limited).toBeDefined();
      expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited!.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    });

    it('is documented in the OpenAPI document', async () => {
      const doc = (await t.http.get('/docs-json').expect(200)).body;
      expect(doc.paths['/orders/track'].post.responses).toHaveProperty('429');
      expect(doc.paths['/brand'].get).toBeDefined();
      expect(doc.components.schemas.TrackingResponse.properties).toHaveProperty('trackingUrl');
      expect(doc.paths['/live/catalogue'].get.responses['200'].content).toHaveProperty(['text/event-stream']);
    });
  });
});
