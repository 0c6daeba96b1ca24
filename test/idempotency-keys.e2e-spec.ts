import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startTestApp, registerCustomer, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { requestFingerprint } from '../src/idempotency/request-fingerprint.js';
import { IdempotencyKeyReleasedError } from '../src/idempotency/idempotency.service.js';
import { CheckoutService } from '../src/orders/checkout.service.js';
import { RefundsService } from '../src/payments/refunds.service.js';

/**
 * Idempotency keys a crash leaves IN_PROGRESS: admins list and resolve them, and a key whose request provably never
 * committed is released for the next retry once it is older than IDEMPOTENCY_STALE_SECONDS — never a second order.
 */
describe('stuck idempotency keys', () => {
  let t: TestApp;
  let admin: { token: string; id: string };
  let sql: pg.Client;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
    sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await t.close();
  });

  const keyRow = (key: string) => t.prisma.idempotencyKey.findFirstOrThrow({ where: { key } });
  /** What a crash between the commit and storing the response leaves behind. */
  const forgetResponse = (key: string) =>
    sql.query("UPDATE idempotency_keys SET status = 'IN_PROGRESS', response_status = NULL, response_body = NULL WHERE key = $1", [key]);
  /** As if the key had been claimed `seconds` ago. */
  const age = (key: string, seconds: number) =>
    sql.query('UPDATE idempotency_keys SET created_at = now() - make_interval(secs => $2) WHERE key = $1', [key, seconds]);
  const checkout = (key: string, body: object, token?: string) => {
    const req = t.http.post('/orders/checkout').set('Idempotency-Key', key);
    return (token ? req.set(bearer(token)) : req).send(body);
  };
  const ordersFor = (email: string) => t.prisma.order.count({ where: { email } });

  it('lists keys left in progress with what claimed them, for admins only', async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const key = randomUUID();
    const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]);
    await checkout(key, body, customer.token).expect(201);
    await forgetResponse(key);
    const listed = await t.http.get('/admin/idempotency-keys').query({ state: 'in_progress' }).set(bearer(admin.token)).expect(200);
    expect(listed.body).toContainEqual({
      id: (await keyRow(key)).id,
      scope: `user:${customer.id}`,
      key,
      status: 'IN_PROGRESS',
      method: 'POST',
      path: '/orders/checkout',
      records: 'order',
      responseStatus: null,
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    const completed = await t.http
      .get('/admin/idempotency-keys')
      .query({ state: 'completed', limit: 200 })
      .set(bearer(admin.token))
      .expect(200);
    expect(completed.body.every((k: { status: string }) => k.status === 'COMPLETED')).toBe(true);
    await t.http.get('/admin/idempotency-keys').query({ state: 'stuck' }).set(bearer(admin.token)).expect(400);
    await t.http.get('/admin/idempotency-keys').set(bearer(customer.token)).expect(403);
    await t.http
      .post(`/admin/idempotency-keys/${(await keyRow(key)).id}/resolve`)
      .set(bearer(customer.token))
      .expect(403);
    await t.http.get('/admin/idempotency-keys').expect(401);
  });

  it('keeps blocking a key whose order was committed, however old, until an admin resolves it to replay that order', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const key = randomUUID();
    const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 2 }]);
    const first = await checkout(key, body).expect(201);
    await forgetResponse(key);
    await age(key, 3600);

    // The order exists: retries must not run again, stale or not.
    await checkout(key, body).expect(409);
    expect(await ordersFor(body.contact.email)).toBe(1);

    const { id } = await keyRow(key);
    const resolved = await t.http.post(`/admin/idempotency-keys/${id}/resolve`).set(bearer(admin.token)).expect(200);
    expect(resolved.body).toEqual({ id, outcome: 'completed', orderId: first.body.order.id });
    const replay = await checkout(key, body).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.order).toEqual(first.body.order);
    expect(replay.body.payment).toBeNull();
    expect(replay.body.paymentError.message).toContain(`/orders/${first.body.order.id}/payment`);
    expect(await ordersFor(body.contact.email)).toBe(1);

    const [entry] = await t.prisma.auditLog.findMany({ where: { entityType: 'idempotency_key', entityId: id } });
    expect(entry).toMatchObject({
      action: 'idempotency_key.resolved',
      actorType: 'USER',
      actorId: admin.id,
      after: { outcome: 'completed', orderId: first.body.order.id },
    });
    await t.http.post(`/admin/idempotency-keys/${id}/resolve`).set(bearer(admin.token)).expect(409);
    await t.http.post(`/admin/idempotency-keys/${randomUUID()}/resolve`).set(bearer(admin.token)).expect(404);
  });

  it('releases a stale key whose request never reached its transaction, so the retry places the order once', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const key = randomUUID();
    const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]);
    // Claimed by a request that then died before its transaction (the row the interceptor writes, nothing else).
    const claimed = await t.prisma.idempotencyKey.create({
      data: {
        scope: 'guest',
        key,
        requestHash: requestFingerprint('POST', '/orders/checkout', body),
        requestMethod: 'POST',
        requestPath: '/orders/checkout',
        records: 'order',
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    await checkout(key, body).expect(409); // young: it may still be running
    expect(await ordersFor(body.contact.email)).toBe(0);

    await age(key, 3600);
    const retried = await checkout(key, body).expect(201);
    expect(await ordersFor(body.contact.email)).toBe(1);
    expect((await keyRow(key)).id).not.toBe(claimed.id);
    await checkout(key, body).expect(201).expect('Idempotent-Replayed', 'true');
    expect(await ordersFor(body.contact.email)).toBe(1);

    // Had the first request still been alive, its transaction would now find its key gone and place nothing.
    await expect(t.app.get(CheckoutService).checkout(body as never, undefined, { type: 'GUEST' }, claimed.id)).rejects.toBeInstanceOf(
      IdempotencyKeyReleasedError,
    );
    expect(await ordersFor(body.contact.email)).toBe(1);
    expect(retried.body.order.id).toBeDefined();
  });

  it('resolves a key with nothing committed by releasing it, and waits for a request inside its transaction', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const key = randomUUID();
    const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]);
    const claimed = await t.prisma.idempotencyKey.create({
      data: {
        scope: 'guest',
        key,
        requestHash: requestFingerprint('POST', '/orders/checkout', body),
        requestMethod: 'POST',
        requestPath: '/orders/checkout',
        records: 'order',
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });

    // A transaction referencing the key (what the checkout's foreign key check does) holds it: resolve cannot decide.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM idempotency_keys WHERE id = $1 FOR KEY SHARE', [claimed.id]);
    const busy = await t.http.post(`/admin/idempotency-keys/${claimed.id}/resolve`).set(bearer(admin.token)).expect(409);
    expect(busy.body.message).toMatch(/inside its transaction/);
    await holder.query('ROLLBACK');
    await holder.end();

    const released = await t.http.post(`/admin/idempotency-keys/${claimed.id}/resolve`).set(bearer(admin.token)).expect(200);
    expect(released.body).toEqual({ id: claimed.id, outcome: 'released' });
    expect(await t.prisma.idempotencyKey.count({ where: { key } })).toBe(0);
    await checkout(key, body).expect(201);
    expect(await ordersFor(body.contact.email)).toBe(1);
  });

  it('does the same for refunds: a committed refund is replayed, a released key fences its request', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5, priceMinor: 40000 }]);
    const { order } = (
      await t.http
        .post('/orders/checkout')
        .send(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]))
        .expect(201)
    ).body;
    await t.http.post(`/orders/${order.id}/fulfill`).set(bearer(admin.token)).send({}).expect(200);
    await t.http.post(`/orders/${order.id}/deliver`).set(bearer(admin.token)).send({}).expect(200);
    const key = randomUUID();
    const refund = () =>
      t.http
        .post(`/orders/${order.id}/refunds`)
        .set(bearer(admin.token))
        .set('Idempotency-Key', key)
        .send({ amountMinor: 10000, reason: 'damaged' });
    const first = await refund().expect(201);
    await forgetResponse(key);
    await age(key, 3600);
    await refund().expect(409);
    const { id } = await keyRow(key);
    expect((await t.http.post(`/admin/idempotency-keys/${id}/resolve`).set(bearer(admin.token)).expect(200)).body).toEqual({
      id,
      outcome: 'completed',
      refundIds: first.body.refunds.map((r: { id: string }) => r.id),
    });
    const replay = await refund().expect(201);
    expect(replay.body.refunds).toEqual(first.body.refunds);
    expect(await t.prisma.refund.count({ where: { orderId: order.id } })).toBe(1);

    // A refund request whose key was released meanwhile refunds nothing.
    const releasedKey = randomUUID();
    await expect(
      t.app
        .get(RefundsService)
        .requestRefund(
          order.id,
          { amountMinor: 100, reason: 'late', idempotencyKeyId: releasedKey },
          { type: 'USER', id: admin.id, role: 'ADMIN' },
        ),
    ).rejects.toBeInstanceOf(IdempotencyKeyReleasedError);
    expect(await t.prisma.refund.count({ where: { orderId: order.id } })).toBe(1);
  });
});
