import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcrypt';
import { ApiError, createOrderlineClient, unwrap, type OrderlineClient, type Schemas } from '@orderline/client';
import { startTestApp, uniqueEmail, type TestApp } from './support/test-app.js';

/**
 * The generated client (clients/ts) against the real app over HTTP: what an integrator writes, type-checked with the
 * rest of the tests (npm run typecheck), so a contract that drifts from the client's types fails there, and one that
 * drifts from the app's behaviour fails here.
 */
describe('typed API client (clients/ts) against the running app', () => {
  let t: TestApp;
  let api: OrderlineClient;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    api = createOrderlineClient({ baseUrl: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}` });
  });
  afterAll(() => t.close());

  it('registers and logs in, lists products, checks out cash on delivery as a guest, reads the order by its token, and an admin fulfils it', async () => {
    // An admin account exists (operators create it with npm run admin); everything else goes through the client.
    const adminEmail = uniqueEmail('client-admin');
    await t.prisma.user.create({
      data: { email: adminEmail, passwordHash: await bcrypt.hash('adminpass123', 4), name: 'Admin', role: 'ADMIN' },
    });
    const admin = await unwrap(api.POST('/auth/login', { body: { email: adminEmail, password: 'adminpass123' } }));
    expect(admin.user.role).toBe('ADMIN');

    const customerEmail = uniqueEmail('client-customer');
    const registered = await unwrap(
      api.POST('/auth/register', { body: { email: customerEmail, password: 'password123', name: 'Asha Rao', phone: '+919812345678' } }),
    );
    const me = await unwrap(api.GET('/auth/me', { headers: bearer(registered.accessToken) }));
    expect(me.email).toBe(customerEmail);

    const sku = `CLIENT-${randomUUID().slice(0, 8)}`;
    const product = await unwrap(
      api.POST('/products', {
        headers: bearer(admin.accessToken),
        body: {
          name: `Client Kurta ${sku}`,
          variants: [{ sku, name: 'Size M', priceMinor: 189900, currency: 'INR', initialStock: 5 }],
        },
      }),
    );
    // Integer query parameters and answers: numbers in, numbers out.
    const page = await unwrap(api.GET('/products', { params: { query: { q: sku, page: 1, limit: 10 } } }));
    expect(page.items.map((p) => p.id)).toEqual([product.id]);
    const variant: Schemas['ProductVariantResponse'] = page.items[0].variants[0];
    expect(variant.available).toBe(5);

    const checkout = await unwrap(
      api.POST('/orders/checkout', {
        params: { header: { 'Idempotency-Key': randomUUID() } },
        body: {
          items: [{ variantId: variant.id, quantity: 2 }],
          contact: { name: 'Guest Buyer', phone: '+919800000001' },
          shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
          paymentMethod: 'cod',
        },
      }),
    );
    expect(checkout.order).toMatchObject({ status: 'CONFIRMED', totalMinor: 379800, userId: null });
    const guestToken = checkout.guestToken ?? '';
    expect(guestToken).not.toBe('');

    // The guest reads the order with the token alone; staff with their bearer token alone (no phantom header).
    const asGuest = await unwrap(
      api.GET('/orders/{id}', { params: { path: { id: checkout.order.id }, header: { 'X-Order-Token': guestToken } } }),
    );
    expect(asGuest.number).toBe(checkout.order.number);
    const forbidden = await api.GET('/orders/{id}', { params: { path: { id: checkout.order.id }, header: { 'X-Order-Token': 'wrong' } } });
    expect(forbidden.response.status).toBe(404);

    const listed = await unwrap(
      api.GET('/orders', { headers: bearer(admin.accessToken), params: { query: { q: checkout.order.number, limit: 5 } } }),
    );
    expect(listed.items.map((o) => o.id)).toEqual([checkout.order.id]);

    const fulfilled = await unwrap(
      api.POST('/orders/{id}/fulfill', {
        headers: bearer(admin.accessToken),
        params: { path: { id: checkout.order.id }, header: { 'Idempotency-Key': randomUUID() } },
        body: { carrier: 'Delhivery', trackingNumber: 'DL123456789IN' },
      }),
    );
    expect(fulfilled).toMatchObject({ status: 'FULFILLED', carrier: 'Delhivery' });

    const tracked = await unwrap(api.POST('/orders/track', { body: { orderNumber: checkout.order.number, phone: '+919800000001' } }));
    expect(tracked.status).toBe('FULFILLED');
  });

  it('answers errors in the documented shape, with field details and the required Idempotency-Key enforced', async () => {
    const invalid = await api.POST('/auth/register', { body: { email: 'not-an-email', password: 'short', name: '' } });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error?.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'email' })]));

    const adminEmail = uniqueEmail('client-refunder');
    await t.prisma.user.create({
      data: { email: adminEmail, passwordHash: await bcrypt.hash('adminpass123', 4), name: 'Admin', role: 'ADMIN' },
    });
    const admin = await unwrap(api.POST('/auth/login', { body: { email: adminEmail, password: 'adminpass123' } }));
    // The type requires the key (a call without it does not compile); a client that sends none anyway gets 400.
    const withoutKey = api.POST('/orders/{id}/refunds', {
      headers: bearer(admin.accessToken),
      // @ts-expect-error Idempotency-Key is a required header of createRefund
      params: { path: { id: randomUUID() }, header: {} },
      body: { reason: 'Damaged in transit' },
    });
    const error = await unwrap(withoutKey).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, fieldErrors: [{ field: 'Idempotency-Key', errors: ['is required'] }] });
  });
});
