import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseEncryptionKey, SecretBox } from '../src/common/crypto/secret-box.js';
import { ProviderSimulator } from './provider-simulator/provider-simulator.js';
import { createProductWithStock } from './support/fixtures.js';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';

const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const ROTATED = { secretKey: 'sk_test_rotatedKey0001', publishableKey: 'pk_test_rotatedKey0001', webhookSecret: 'whsec_rotatedSecret0001' };

/**
 * Brand settings on their own database (they are one row for the whole app, and this file changes payment keys that
 * other files' checkouts would otherwise pick up), with the payment provider simulator standing in for Stripe and
 * Razorpay. Razorpay has no keys in the environment here, so only settings can configure it.
 */
describe('brand settings', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let sim: ProviderSimulator;
  let support: typeof import('./support/test-app.js');
  let admin: { token: string };
  let variantId: string;

  beforeAll(async () => {
    sim = await ProviderSimulator.start();
    // Blank, not merely left out: the run's environment configures both providers (test/setup/global-setup.mjs).
    isolated = await startIsolatedTestApp({ ...sim.env(), RAZORPAY_KEY_ID: '', RAZORPAY_KEY_SECRET: '', ENCRYPTION_KEY });
    t = isolated.t;
    await t.app.listen(0, '127.0.0.1');
    sim.targetApp(`http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`);
    support = await import('./support/test-app.js');
    admin = await support.createAdmin(t);
    variantId = (await createProductWithStock(t.prisma, [{ stock: 100, priceMinor: 49900 }])).variants[0].id;
  });

  afterAll(async () => {
    await isolated?.close();
    await sim?.stop();
  });

  const auth = () => support.bearer(admin.token);
  const patch = (body: unknown) =>
    t.http
      .patch('/admin/settings')
      .set(auth())
      .send(body as object);

  const checkoutRequest = (method: 'stripe' | 'razorpay', email = 'asha@example.com') =>
    t.http.post('/orders/checkout').send({
      items: [{ variantId, quantity: 1 }],
      contact: { name: 'Asha Rao', email, phone: '+919800000001' },
      shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      paymentMethod: method,
    });

  async function checkout(method: 'stripe' | 'razorpay') {
    const res = await checkoutRequest(method).expect(201);
    return res.body as {
      order: { id: string; reservationExpiresAt: string };
      payment: Record<string, any> | null;
      paymentError?: { message: string };
    };
  }

  it('starts from the defaults, with credentials from the environment shown only as set and last 4', async () => {
    const res = await t.http.get('/admin/settings').set(auth()).expect(200);
    expect(res.body).toMatchObject({
      brandName: 'Orderline Demo',
      slug: 'orderline-demo',
      supportEmail: null,
      supportPhone: null,
      defaultCurrency: 'INR',
      reservationTtlSeconds: null,
      effectiveReservationTtlSeconds: 900,
      lowStockThreshold: null,
      codRtoBlockThreshold: null,
    });
    const unset = { set: false, last4: null, source: null };
    expect(res.body.credentials).toEqual({
      stripe: {
        secretKey: { set: true, last4: 'ator', source: 'environment' },
        publishableKey: { set: true, last4: 'ator', source: 'environment' },
        webhookSecret: { set: true, last4: 'ator', source: 'environment' },
      },
      razorpay: {
        keyId: { set: false, last4: null, source: null },
        keySecret: { set: false, last4: null, source: null },
        webhookSecret: { set: true, last4: 'ator', source: 'environment' },
      },
      shiprocket: {
        email: { set: false, last4: null, source: null },
        password: { set: false, last4: null, source: null },
        webhookToken: { set: false, last4: null, source: null },
        pickupLocation: { set: false, last4: null, source: null },
      },
      whatsapp: {
        accessToken: unset,
        phoneNumberId: unset,
        templateLanguage: { set: true, last4: 'en', source: 'environment' },
        templatePrefix: unset,
      },
      twilio: { accountSid: unset, authToken: unset, from: unset },
      smtp: { url: unset, from: unset },
    });
    expect(res.body.credentialProviders).toEqual([
      { name: 'stripe', label: 'Stripe', group: 'payments' },
      { name: 'razorpay', label: 'Razorpay', group: 'payments' },
      { name: 'shiprocket', label: 'Shiprocket', group: 'shipping' },
      { name: 'whatsapp', label: 'WhatsApp', group: 'notifications' },
      { name: 'twilio', label: 'SMS (Twilio)', group: 'notifications' },
      { name: 'smtp', label: 'Email (SMTP)', group: 'notifications' },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('simulator');
  });

  it('updates brand details, audits the change, and rejects bad input with field details and no change', async () => {
    const res = await patch({
      brandName: 'Indigo & Co.',
      slug: 'indigo-co',
      supportEmail: 'help@indigo.example',
      supportPhone: '+91 98000 00000',
      defaultCurrency: 'USD',
    }).expect(200);
    expect(res.body).toMatchObject({
      brandName: 'Indigo & Co.',
      slug: 'indigo-co',
      supportEmail: 'help@indigo.example',
      supportPhone: '+91 98000 00000',
      defaultCurrency: 'USD',
    });
    expect((await t.http.get('/admin/settings').set(auth()).expect(200)).body).toMatchObject({
      brandName: 'Indigo & Co.',
      slug: 'indigo-co',
    });
    const [entry] = await t.prisma.auditLog.findMany({ where: { action: 'settings.updated' }, orderBy: { id: 'desc' }, take: 1 });
    expect(entry.before).toMatchObject({ brandName: 'Orderline Demo', slug: 'orderline-demo' });
    expect(entry.after).toMatchObject({ brandName: 'Indigo & Co.', slug: 'indigo-co' });

    const before = await t.prisma.brandSettings.findUniqueOrThrow({ where: { id: 1 } });
    const bad = await patch({
      brandName: '',
      slug: 'Not A Slug',
      supportEmail: 'nope',
      defaultCurrency: 'XYZ',
      reservationTtlSeconds: 5,
      lowStockThreshold: -1,
      codRtoBlockThreshold: 0,
      credentials: { stripe: { secretKey: 'pk_live_wrongKind' }, razorpay: { keyId: 'key' }, paypal: {} },
      colour: 'blue',
    }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'brandName',
      'codRtoBlockThreshold',
      'colour',
      'credentials.paypal',
      'credentials.razorpay.keyId',
      'credentials.stripe.secretKey',
      'defaultCurrency',
      'lowStockThreshold',
      'reservationTtlSeconds',
      'slug',
      'supportEmail',
    ]);
    await patch({ brandName: null }).expect(400);
    expect(await t.prisma.brandSettings.findUniqueOrThrow({ where: { id: 1 } })).toEqual(before);

    await patch({ supportEmail: null, defaultCurrency: 'INR' }).expect(200);
    expect((await t.http.get('/admin/settings').set(auth()).expect(200)).body).toMatchObject({
      supportEmail: null,
      supportPhone: '+91 98000 00000',
      defaultCurrency: 'INR',
    });

    const customer = await support.registerCustomer(t);
    await t.http.get('/admin/settings').set(support.bearer(customer.token)).expect(403);
    await t.http.patch('/admin/settings').set(support.bearer(customer.token)).send({ brandName: 'Mine now' }).expect(403);
    await t.http.get('/admin/settings').expect(401);
  });

  it('keeps payment secrets encrypted at rest and out of every response and audit entry', async () => {
    const res = await patch({ credentials: { stripe: ROTATED } }).expect(200);
    expect(res.body.credentials.stripe).toEqual({
      secretKey: { set: true, last4: '0001', source: 'settings' },
      publishableKey: { set: true, last4: '0001', source: 'settings' },
      webhookSecret: { set: true, last4: '0001', source: 'settings' },
    });
    const responses = [res.body, (await t.http.get('/admin/settings').set(auth()).expect(200)).body];
    const audit = await t.prisma.auditLog.findMany({ where: { entityType: 'brand_settings' } });
    const [raw] = await t.prisma.$queryRaw<{ row: string }[]>`SELECT row_to_json(b)::text AS row FROM brand_settings b`;
    for (const secret of Object.values(ROTATED)) {
      const distinctive = secret.slice(secret.indexOf('_', 3) + 1, -4); // the random-looking middle, e.g. "rotatedKey"
      for (const text of [raw.row, JSON.stringify(responses), JSON.stringify(audit.map((a) => [a.before, a.after]))]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(distinctive);
      }
    }
    expect(audit.at(-1)?.after).toMatchObject({
      credentials: { 'stripe.secretKey': 'set', 'stripe.publishableKey': 'set', 'stripe.webhookSecret': 'set' },
    });

    // What is stored is AES-256-GCM under ENCRYPTION_KEY, bound to its field: readable with the key, useless without it.
    const stored = (await t.prisma.brandSettings.findUniqueOrThrow({ where: { id: 1 } })).credentials as Record<
      string,
      Record<string, string>
    >;
    const box = new SecretBox(parseEncryptionKey(ENCRYPTION_KEY)!);
    expect(box.decrypt(stored.stripe.secretKey, 'brand_settings.credentials.stripe.secretKey')).toBe(ROTATED.secretKey);
    expect(() => box.decrypt(stored.stripe.secretKey, 'brand_settings.credentials.stripe.publishableKey')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(stored.stripe.secretKey, 'brand_settings.credentials.stripe.secretKey')).toThrow();
  });

  it('applies changed provider keys, webhook secret and brand slug to the very next checkout, without a restart', async () => {
    // The provider now accepts only the rotated keys; the settings hold them (previous test), the environment does not.
    Object.assign(sim.stripe.config, ROTATED);
    await patch({ credentials: { stripe: { secretKey: null, publishableKey: null, webhookSecret: null } } }).expect(200);
    const withEnvironmentKeys = await checkout('stripe');
    expect(withEnvironmentKeys.payment).toBeNull();
    expect(withEnvironmentKeys.paymentError).toBeDefined();

    await patch({ slug: 'indigo-co', credentials: { stripe: ROTATED } }).expect(200);
    const next = await checkout('stripe');
    expect(next.paymentError).toBeUndefined();
    expect(next.payment).toMatchObject({ method: 'STRIPE', publishableKey: ROTATED.publishableKey });
    const intent = sim.stripe.paymentIntents.get(next.payment!.paymentIntentId)!;
    expect(intent.metadata).toMatchObject({ orderId: next.order.id, brand: 'indigo-co' });

    // The webhook is verified with the webhook secret from settings too.
    const [succeeded] = sim.stripe.pay(intent.id).filter((e) => e.type === 'payment_intent.succeeded');
    const [delivered] = await sim.deliver(succeeded);
    expect(delivered.status).toBe(200);
    expect((await t.prisma.order.findUniqueOrThrow({ where: { id: next.order.id } })).status).toBe('PAID');
  });

  it('refuses checkout with a payment method that is not configured before reserving anything', async () => {
    const email = `unconfigured-${randomBytes(4).toString('hex')}@example.com`;
    const stock = await t.prisma.inventoryLevel.findUniqueOrThrow({ where: { variantId } });
    const outbox = await t.prisma.outboxMessage.count();
    const res = await checkoutRequest('razorpay', email).set('Idempotency-Key', `unconfigured-${email}`).expect(422);
    expect(res.body).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: expect.stringContaining('razorpay'),
      details: {
        code: 'PAYMENT_METHOD_UNAVAILABLE',
        field: 'paymentMethod',
        paymentMethod: 'razorpay',
        availableMethods: ['stripe', 'cod'],
      },
    });
    expect(await t.prisma.inventoryLevel.findUniqueOrThrow({ where: { variantId } })).toEqual(stock);
    expect(await t.prisma.order.count({ where: { email } })).toBe(0);
    expect(await t.prisma.outboxMessage.count()).toBe(outbox);
    expect((await t.http.get('/payments/methods').expect(200)).body.methods).not.toContain('RAZORPAY');
  });

  it('configures a provider from settings alone, refusing half a key pair', async () => {
    const before = await t.prisma.brandSettings.findUniqueOrThrow({ where: { id: 1 } });
    const half = await patch({ credentials: { razorpay: { keyId: 'rzp_test_simulator' } } }).expect(400);
    expect(half.body.details).toEqual([
      { field: 'credentials.razorpay.keySecret', errors: [expect.stringContaining('keySecret is required while keyId is set')] },
    ]);
    expect(await t.prisma.brandSettings.findUniqueOrThrow({ where: { id: 1 } })).toEqual(before);
    await checkoutRequest('razorpay').expect(422);

    await patch({ credentials: { razorpay: { keyId: 'rzp_test_simulator', keySecret: 'rzp_secret_simulator' } } }).expect(200);
    const paid = await checkout('razorpay');
    expect(paid.paymentError).toBeUndefined();
    expect(paid.payment).toMatchObject({ method: 'RAZORPAY', keyId: 'rzp_test_simulator' });
    const notes = [...sim.razorpay.orders.values()].map((o) => o.notes as Record<string, string>).find((n) => n.orderId === paid.order.id);
    expect(notes).toMatchObject({ brand: 'indigo-co' });
  });

  it('applies a new reservation TTL and low-stock default without a restart', async () => {
    await patch({ reservationTtlSeconds: 120, lowStockThreshold: 12 }).expect(200);
    const started = Date.now();
    const { order } = await checkout('stripe');
    const ttl = new Date(order.reservationExpiresAt).getTime() - started;
    expect(ttl).toBeGreaterThan(110_000);
    expect(ttl).toBeLessThan(130_000);

    const skus = [`SET-${randomBytes(3).toString('hex')}-M`, `SET-${randomBytes(3).toString('hex')}-L`];
    await t.http
      .post('/products')
      .set(auth())
      .send({
        name: 'Settings Tee',
        variants: [
          { sku: skus[0], name: 'M', priceMinor: 1000, currency: 'INR' },
          { sku: skus[1], name: 'L', priceMinor: 1000, currency: 'INR', lowStockThreshold: 2 },
        ],
      })
      .expect(201);
    const variants = await t.prisma.variant.findMany({ where: { sku: { in: skus } } });
    expect(skus.map((sku) => variants.find((v) => v.sku === sku)?.lowStockThreshold)).toEqual([12, 2]);

    await patch({ reservationTtlSeconds: null, lowStockThreshold: null }).expect(200);
    const again = await checkout('stripe');
    expect(new Date(again.order.reservationExpiresAt).getTime() - Date.now()).toBeGreaterThan(800_000);
  });
});
