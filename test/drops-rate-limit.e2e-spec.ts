import { startTestApp, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

/**
 * Drop checkouts are limited per phone and per client IP in PostgreSQL, so the limit holds across instances: two apps
 * on one database, one phone alternating between them, gets exactly the limit through.
 */
describe('Drop rate limits (shared by instances)', () => {
  let apps: TestApp[];
  let admin: { token: string };
  beforeAll(async () => {
    process.env.DROP_RATE_LIMIT_PER_PHONE = '3';
    process.env.DROP_RATE_LIMIT_PER_IP = '5';
    // Each test file shares the database (and so the counters) with others running from the same address: this one
    // sends its own client address through a trusted proxy header.
    process.env.TRUST_PROXY = 'true';
    apps = [await startTestApp(), await startTestApp()];
    delete process.env.DROP_RATE_LIMIT_PER_PHONE;
    delete process.env.DROP_RATE_LIMIT_PER_IP;
    delete process.env.TRUST_PROXY;
    admin = await createAdmin(apps[0]);
  });
  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
  });

  it('lets a phone through the limit once across both instances, then 429 with Retry-After; then the IP limit', async () => {
    const product = await createProductWithStock(apps[0].prisma, [{ stock: 100 }]);
    const variantId = product.variants[0].id;
    await apps[0].http
      .post('/admin/drops')
      .set(bearer(admin.token))
      .send({ name: 'Limited', startsAt: new Date(Date.now() - 1000).toISOString(), productIds: [product.id] })
      .expect(201);
    const phone = `+91982${String(Date.now()).slice(-7)}`;
    const client = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const body = checkoutBody([{ variantId, quantity: 1 }]);
      const res = await apps[i % 2].http
        .post('/orders/checkout')
        .set('X-Forwarded-For', client)
        .send({ ...body, contact: { ...body.contact, phone } });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body.details).toMatchObject({ code: 'DROP_RATE_LIMIT', limit: 3 });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    // Other phones from the same address: the per-IP count (5 in this window, the refused ones included) runs out.
    const others = [];
    for (let i = 0; i < 2; i++)
      others.push(
        (
          await apps[i % 2].http
            .post('/orders/checkout')
            .set('X-Forwarded-For', client)
            .send(checkoutBody([{ variantId, quantity: 1 }]))
        ).status,
      );
    expect(others).toEqual([429, 429]);
    // A burst from one phone at one instance, which counts the requests arriving while a count runs in one statement:
    // each request's count is its place among them, so exactly the limit gets through.
    const burstPhone = `+91983${String(Date.now()).slice(-7)}`;
    const burstClient = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => {
        const body = checkoutBody([{ variantId, quantity: 1 }]);
        return apps[0].http
          .post('/orders/checkout')
          .set('X-Forwarded-For', burstClient)
          .send({ ...body, contact: { ...body.contact, phone: burstPhone } });
      }),
    );
    expect(burst.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429]);
    for (const res of burst.filter((r) => r.status === 429)) expect(res.body.details).toMatchObject({ code: 'DROP_RATE_LIMIT', limit: 3 });
    // A cart without drop items is not counted.
    const plain = await createProductWithStock(apps[0].prisma, [{ stock: 5 }]);
    await apps[1].http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: plain.variants[0].id, quantity: 1 }]))
      .expect(201);
  });
});
