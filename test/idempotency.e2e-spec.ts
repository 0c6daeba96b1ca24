import { randomUUID } from 'node:crypto';
import { startTestApp, registerCustomer, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock, inventoryLevel } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { requestFingerprint } from '../src/idempotency/request-fingerprint.js';
import { IdempotencyService } from '../src/idempotency/idempotency.service.js';

describe('Idempotency-Key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const ordersFor = (email: string) => t.prisma.order.count({ where: { email } });

  it('replays the first response for the same key and body without ordering again', async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const variantId = product.variants[0].id;
    const body = checkoutBody([{ variantId, quantity: 2 }], { paymentMethod: 'stripe' });
    const key = randomUUID();
    const first = await t.http.post('/orders/checkout').set(bearer(customer.token)).set('Idempotency-Key', key).send(body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Same body with keys in another order is the same request.
    const reordered = {
      paymentMethod: body.paymentMethod,
      shippingAddress: body.shippingAddress,
      contact: body.contact,
      items: body.items,
    };
    const replay = await t.http
      .post('/orders/checkout')
      .set(bearer(customer.token))
      .set('Idempotency-Key', key)
      .send(reordered)
      .expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);

    expect(await ordersFor(body.contact.email)).toBe(1);
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 5, reserved: 2 });
    const stored = await t.prisma.idempotencyKey.findFirstOrThrow({ where: { scope: `user:${customer.id}`, key } });
    expect(stored).toMatchObject({ status: 'COMPLETED', responseStatus: 201 });
    const ttl = stored.expiresAt.getTime() - stored.createdAt.getTime();
    expect(ttl).toBeGreaterThanOrEqual(24 * 3600 * 1000 - 1000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600 * 1000 + 1000);

    // The same key from another caller is another key.
    const other = await registerCustomer(t);
    await t.http.post('/orders/checkout').set(bearer(other.token)).set('Idempotency-Key', key).send(body).expect(201);
    expect(await ordersFor(body.contact.email)).toBe(2);
  });

  it('refuses the same key with a different body or path with 422 and changes nothing', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const variantId = product.variants[0].id;
    const body = checkoutBody([{ variantId, quantity: 1 }]);
    const key = randomUUID();
    await t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body).expect(201);
    const changed = await t.http
      .post('/orders/checkout')
      .set('Idempotency-Key', key)
      .send({ ...body, items: [{ variantId, quantity: 2 }] })
      .expect(422);
    expect(changed.body).toMatchObject({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: expect.stringContaining('different request'),
    });
    await t.http
      .post('/orders/lookup')
      .set('Idempotency-Key', key)
      .send({ orderNumber: 'OL-000001', email: body.contact.email })
      .expect(404);
    expect(await ordersFor(body.contact.email)).toBe(1);
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 4, reserved: 0 });
  });

  it('never lets concurrent requests with one key create two orders', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 50 }]);
    const variantId = product.variants[0].id;
    const body = checkoutBody([{ variantId, quantity: 1 }]);
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const orderIds = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.order.id));
    expect(orderIds.size).toBe(1);
    expect(responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(await ordersFor(body.contact.email)).toBe(1);
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 49, reserved: 0 });
  });

  it('answers 409 while the first request with the key is still running, after waiting briefly', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]);
    const key = randomUUID();
    await t.prisma.idempotencyKey.create({
      data: {
        scope: 'guest',
        key,
        requestHash: requestFingerprint('POST', '/orders/checkout', body),
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    const started = Date.now();
    const res = await t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body).expect(409);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(res.body.message).toMatch(/still being processed/);
    expect(await ordersFor(body.contact.email)).toBe(0);
  });

  it('releases the key of a request that failed, so the same key can be retried', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 1 }]);
    const variantId = product.variants[0].id;
    const body = checkoutBody([{ variantId, quantity: 2 }]);
    const key = randomUUID();
    await t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body).expect(409);
    await t.http
      .post('/orders/checkout')
      .set('Idempotency-Key', key)
      .send({ ...body, items: 'nope' })
      .expect(400);
    expect(await t.prisma.idempotencyKey.count({ where: { scope: 'guest', key } })).toBe(0);
    await t.prisma.$transaction([
      t.prisma.inventoryLevel.update({ where: { variantId }, data: { onHand: 3 } }),
      t.prisma.stockMovement.create({ data: { variantId, kind: 'RESTOCK', onHandDelta: 2, reservedDelta: 0, reason: 'test restock' } }),
    ]);
    const res = await t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body).expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersFor(body.contact.email)).toBe(1);
  });

  it('replays a guest checkout without the one-time token, which is never stored', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]);
    const key = randomUUID();
    const first = await t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body).expect(201);
    expect(first.body.guestToken).toEqual(expect.any(String));
    const replay = await t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body).expect(201);
    const { guestToken, ...rest } = first.body;
    expect(replay.body).toEqual(rest);
    const stored = await t.prisma.idempotencyKey.findFirstOrThrow({ where: { scope: 'guest', key } });
    expect(JSON.stringify(stored.responseBody)).not.toContain(guestToken);
  });

  it('makes cancel, fulfil and deliver safe to retry', async () => {
    const admin = await createAdmin(t);
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const variantId = product.variants[0].id;
    const prepaid = (
      await t.http
        .post('/orders/checkout')
        .set(bearer(customer.token))
        .send(checkoutBody([{ variantId, quantity: 2 }], { paymentMethod: 'stripe' }))
        .expect(201)
    ).body.order;
    const cancelKey = randomUUID();
    const cancel = () =>
      t.http.post(`/orders/${prepaid.id}/cancel`).set(bearer(customer.token)).set('Idempotency-Key', cancelKey).send({ reason: 'oops' });
    const first = await cancel().expect(200);
    const again = await cancel().expect(200);
    expect(again.body).toEqual(first.body);
    expect(await t.prisma.stockMovement.count({ where: { orderId: prepaid.id, kind: 'RELEASE' } })).toBe(1);

    const cod = (
      await t.http
        .post('/orders/checkout')
        .send(checkoutBody([{ variantId, quantity: 1 }]))
        .expect(201)
    ).body.order;
    const fulfilKey = randomUUID();
    for (let i = 0; i < 2; i++) {
      await t.http
        .post(`/orders/${cod.id}/fulfill`)
        .set(bearer(admin.token))
        .set('Idempotency-Key', fulfilKey)
        .send({ carrier: 'DHL' })
        .expect(200);
    }
    const deliverKey = randomUUID();
    for (let i = 0; i < 2; i++) {
      const res = await t.http
        .post(`/orders/${cod.id}/deliver`)
        .set(bearer(admin.token))
        .set('Idempotency-Key', deliverKey)
        .send({})
        .expect(200);
      expect(res.body.status).toBe('DELIVERED');
    }
    const events = await t.prisma.orderStatusHistory.findMany({ where: { orderId: cod.id }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.event)).toEqual(['CHECKOUT', 'CONFIRM_COD', 'FULFILL', 'DELIVER']);
    // A new key is a new request: now an illegal transition.
    await t.http.post(`/orders/${cod.id}/deliver`).set(bearer(admin.token)).set('Idempotency-Key', randomUUID()).send({}).expect(409);
  });

  it('rejects malformed keys with 400', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]);
    for (const key of ['', 'has space', 'x'.repeat(256), 'cl\u00e9']) {
      const res = await t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body).expect(400);
      expect(res.body.details).toEqual([{ field: 'Idempotency-Key', errors: [expect.any(String)] }]);
    }
    expect(await ordersFor(body.contact.email)).toBe(0);
  });

  it('forgets keys after 24 hours: an expired key runs again, and the cleanup deletes only expired keys', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]);
    const key = randomUUID();
    await t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body).expect(201);
    await t.prisma.idempotencyKey.updateMany({
      where: { scope: 'guest', key },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const rerun = await t.http.post('/orders/checkout').set('Idempotency-Key', key).send(body).expect(201);
    expect(rerun.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersFor(body.contact.email)).toBe(2);

    const scope = `cleanup-${randomUUID()}`;
    const hour = 3_600_000;
    await t.prisma.idempotencyKey.createMany({
      data: [
        { scope, key: 'old-1', requestHash: 'h', expiresAt: new Date(Date.now() - hour) },
        {
          scope,
          key: 'old-2',
          requestHash: 'h',
          status: 'COMPLETED',
          responseStatus: 201,
          responseBody: {},
          expiresAt: new Date(Date.now() - 1),
        },
        { scope, key: 'fresh', requestHash: 'h', expiresAt: new Date(Date.now() + hour) },
      ],
    });
    const deleted = await t.app.get(IdempotencyService).deleteExpired(new Date(), 1);
    expect(deleted).toBeGreaterThanOrEqual(2);
    expect((await t.prisma.idempotencyKey.findMany({ where: { scope } })).map((k) => k.key)).toEqual(['fresh']);
  });
});
