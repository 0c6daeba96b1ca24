import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { OutboxDispatcher } from '../src/outbox/outbox.dispatcher.js';
import { OrderTransitionsService } from '../src/orders/order-transitions.service.js';
import { SYSTEM_ACTOR } from '../src/common/actor.js';
import { createProductWithStock } from './support/fixtures.js';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import {
  startRecordingHttpServer,
  startRecordingSmtpServer,
  type RecordedRequest,
  type RecordingHttpServer,
  type RecordingSmtpServer,
} from './support/recording-servers.js';
import type { TestApp } from './support/test-app.js';

const MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 300;
const TWILIO_SID = 'AC00000000000000000000000000000001';

/**
 * The outbox end to end: every channel (WhatsApp, Twilio SMS, SMTP) and webhook endpoint points at a local server
 * that records what it receives. This file runs on its own database, so its endpoints, dispatcher and rows are its own.
 */
describe('transactional outbox', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let support: typeof import('./support/test-app.js');
  let admin: { token: string };
  let whatsapp: RecordingHttpServer;
  let twilio: RecordingHttpServer;
  let receiver: RecordingHttpServer;
  let smtp: RecordingSmtpServer;
  let dispatcher: OutboxDispatcher;

  beforeAll(async () => {
    [whatsapp, twilio, receiver, smtp] = await Promise.all([
      startRecordingHttpServer(),
      startRecordingHttpServer(),
      startRecordingHttpServer(),
      startRecordingSmtpServer(),
    ]);
    whatsapp.respond = () => ({ status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: 'wamid.test' }] } });
    twilio.respond = () => ({ status: 201, body: { sid: 'SM00000000000000000000000000000001', status: 'queued' } });
    isolated = await startIsolatedTestApp({
      // The receivers below listen on 127.0.0.1 (webhook-endpoints-ssrf.e2e-spec.ts runs with the production default).
      ALLOW_PRIVATE_TARGETS: 'true',
      OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      OUTBOX_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS),
      OUTBOX_DELIVERY_TIMEOUT_MS: '3000',
      WHATSAPP_ACCESS_TOKEN: 'wa-test-token',
      WHATSAPP_PHONE_NUMBER_ID: '1098765432',
      WHATSAPP_API_BASE_URL: whatsapp.url,
      TWILIO_ACCOUNT_SID: TWILIO_SID,
      TWILIO_AUTH_TOKEN: 'twilio-test-token',
      TWILIO_FROM: '+15005550006',
      TWILIO_API_BASE_URL: twilio.url,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      SMTP_FROM: 'orders@brand.test',
      TRACKING_URL_TEMPLATE: 'https://track.example/{carrier}/{trackingNumber}',
    });
    t = isolated.t;
    support = await import('./support/test-app.js');
    admin = await support.createAdmin(t);
    dispatcher = t.app.get(OutboxDispatcher);
  });

  afterAll(async () => {
    await isolated?.close();
    await Promise.all([whatsapp, twilio, receiver].map((s) => s?.close()));
    await smtp?.close();
  });

  const auth = () => support.bearer(admin.token);

  async function createEndpoint(events: string[], path: string, active = true) {
    const res = await t.http
      .post('/admin/webhook-endpoints')
      .set(auth())
      .send({ url: `${receiver.url}${path}`, events, active })
      .expect(201);
    return res.body as { id: string; secret: string; url: string };
  }

  async function codCheckout(stock = 10, quantity = 2, customerName = 'Asha Rao') {
    const product = await createProductWithStock(t.prisma, [{ stock, priceMinor: 129950 }]);
    const res = await t.http
      .post('/orders/checkout')
      .send({
        items: [{ variantId: product.variants[0].id, quantity }],
        contact: { name: customerName, email: 'asha@example.com', phone: '+919800000001' },
        shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
        paymentMethod: 'cod',
      })
      .expect(201);
    return { order: res.body.order as { id: string; number: string }, variantId: product.variants[0].id };
  }

  const webhookBodies = (path: string) =>
    receiver.requests.filter((r) => r.path === path).map((r) => ({ request: r, body: JSON.parse(r.body) }));
  const forOrder = (path: string, orderId: string, type?: string) =>
    webhookBodies(path).filter(({ body }) => body.data?.order?.id === orderId && (!type || body.type === type));

  /** The documented receiver-side check, written from the README description (not the app's own signing code). */
  function verifySignature(secret: string, request: RecordedRequest, toleranceSeconds = 300): boolean {
    const header = String(request.headers['x-orderline-signature'] ?? '');
    const fields = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
    const timestamp = Number(fields.t);
    if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
    const expected = createHmac('sha256', secret).update(`${fields.t}.${request.body}`).digest();
    const received = Buffer.from(fields.v1 ?? '', 'hex');
    return received.length === expected.length && timingSafeEqual(received, expected);
  }

  it('delivers a committed order change exactly once per channel and subscribed endpoint, and a rolled-back one never', async () => {
    const subscribed = await createEndpoint(['order.cancelled'], '/subscribed');
    const everything = await createEndpoint(['*'], '/everything');
    await createEndpoint(['order.paid'], '/other-event');
    await createEndpoint(['order.cancelled'], '/inactive', false);

    const committed = await codCheckout();
    const rolledBack = await codCheckout();
    const transitions = t.app.get(OrderTransitionsService);
    await t.prisma.serializable((tx) =>
      transitions.apply(tx, committed.order.id, 'CANCEL', { actor: SYSTEM_ACTOR, reason: 'customer asked' }),
    );
    await expect(
      t.prisma.serializable(async (tx) => {
        await transitions.apply(tx, rolledBack.order.id, 'CANCEL', { actor: SYSTEM_ACTOR });
        throw new Error('something later in the transaction failed');
      }),
    ).rejects.toThrow('something later');

    const rows = await t.prisma.outboxMessage.findMany({ where: { aggregateId: { in: [committed.order.id, rolledBack.order.id] } } });
    const destinations = (orderId: string, event: string) =>
      rows
        .filter((r) => r.aggregateId === orderId && r.event === event)
        .map((r) => r.destination)
        .sort();
    const channels = ['channel:email', 'channel:sms', 'channel:whatsapp'];
    expect(destinations(committed.order.id, 'order.cancelled')).toEqual(
      [...channels, `webhook:${everything.id}`, `webhook:${subscribed.id}`].sort(),
    );
    expect(destinations(rolledBack.order.id, 'order.cancelled')).toEqual([]);
    expect(destinations(rolledBack.order.id, 'order.created')).toEqual([...channels, `webhook:${everything.id}`].sort());

    await dispatcher.drain();
    expect(
      await t.prisma.outboxMessage.count({
        where: { aggregateId: { in: [committed.order.id, rolledBack.order.id] }, status: { not: 'DELIVERED' } },
      }),
    ).toBe(0);

    // Webhooks: the subscribed endpoint and the "*" endpoint once each; the others never.
    expect(forOrder('/subscribed', committed.order.id, 'order.cancelled')).toHaveLength(1);
    expect(forOrder('/everything', committed.order.id, 'order.cancelled')).toHaveLength(1);
    expect(forOrder('/other-event', committed.order.id)).toHaveLength(0);
    expect(forOrder('/inactive', committed.order.id)).toHaveLength(0);
    for (const path of ['/subscribed', '/everything', '/other-event', '/inactive'])
      expect(forOrder(path, rolledBack.order.id, 'order.cancelled')).toHaveLength(0);
    const [{ body: cancelled }] = forOrder('/subscribed', committed.order.id);
    expect(cancelled.data.order).toMatchObject({
      number: committed.order.number,
      status: 'CANCELLED',
      previousStatus: 'CONFIRMED',
      totalMinor: 259900,
      currency: 'INR',
    });
    expect(cancelled.data.reason).toBe('customer asked');

    // Channels: one message per channel for each committed event (created + cancelled for one order, created only for the other).
    const mentions = (text: string, number: string) => text.includes(number);
    const whatsappFor = (number: string) => whatsapp.requests.filter((r) => mentions(r.body, number));
    const smsFor = (number: string) => twilio.requests.filter((r) => mentions(decodeURIComponent(r.body.replace(/\+/g, ' ')), number));
    const mailFor = (number: string) => smtp.messages.filter((m) => mentions(m.data, number));
    expect(whatsappFor(committed.order.number)).toHaveLength(2);
    expect(smsFor(committed.order.number)).toHaveLength(2);
    expect(mailFor(committed.order.number)).toHaveLength(2);
    expect(whatsappFor(rolledBack.order.number)).toHaveLength(1);
    expect(smsFor(rolledBack.order.number)).toHaveLength(1);
    expect(mailFor(rolledBack.order.number)).toHaveLength(1);
    expect(whatsappFor(rolledBack.order.number).map((r) => JSON.parse(r.body).template.name)).toEqual(['order_created']);
  });

  it('signs every webhook so that the documented HMAC-SHA256 check verifies it, with event id and timestamp headers', async () => {
    const endpoint = await createEndpoint(['order.fulfilled'], '/signed');
    const awkwardName = 'Zoë "Z" O\'Brien \\ 🚀 {x}';
    const { order } = await codCheckout(10, 2, awkwardName);
    await t.http.post(`/orders/${order.id}/fulfill`).set(auth()).send({ carrier: 'Delhivery', trackingNumber: 'DL 123/45' }).expect(200);
    await dispatcher.drain();

    const [{ request, body }] = forOrder('/signed', order.id, 'order.fulfilled');
    expect(verifySignature(endpoint.secret, request)).toBe(true);
    expect(request.headers['x-orderline-event-id']).toBe(body.id);
    expect(request.headers['x-orderline-event']).toBe('order.fulfilled');
    expect(request.headers['x-orderline-signature']).toMatch(new RegExp(`^t=${request.headers['x-orderline-timestamp']},v1=[0-9a-f]{64}$`));
    expect(body.data.order.customer).toEqual({ name: awkwardName, email: 'asha@example.com', phone: '+919800000001' });
    expect(body.data.order).toMatchObject({
      carrier: 'Delhivery',
      trackingNumber: 'DL 123/45',
      trackingUrl: 'https://track.example/Delhivery/DL%20123%2F45',
    });
    const row = await t.prisma.outboxMessage.findUniqueOrThrow({ where: { id: body.id } });
    expect(row).toMatchObject({ event: 'order.fulfilled', destination: `webhook:${endpoint.id}`, status: 'DELIVERED' });

    // A changed body, another secret or an old timestamp fail the same check.
    expect(verifySignature(endpoint.secret, { ...request, body: request.body.replace('Delhivery', 'Bluedart') })).toBe(false);
    expect(verifySignature(`${endpoint.secret}x`, request)).toBe(false);
    expect(Math.abs(Number(request.headers['x-orderline-timestamp']) - request.receivedAt / 1000)).toBeLessThan(60);

    // The customer's shipping message carries the tracking link.
    const shipped = whatsapp.requests
      .map((r) => JSON.parse(r.body))
      .find((b) => b.template.name === 'order_fulfilled' && b.template.components[0].parameters[1].text === order.number);
    expect(shipped.template.components[0].parameters[4].text).toBe('https://track.example/Delhivery/DL%20123%2F45');
  });

  it('retries a failing endpoint with growing backoff, dead-letters it, and delivers it again after an admin retry', async () => {
    const endpoint = await createEndpoint(['order.cancelled'], '/flaky');
    receiver.respond = (r) => (r.path === '/flaky' ? { status: 503, body: { error: 'down for maintenance' } } : { status: 200 });
    const { order } = await codCheckout();
    await t.http.post(`/orders/${order.id}/cancel`).set(auth()).send({}).expect(200);
    const row = await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: order.id, destination: `webhook:${endpoint.id}` } });

    // Let the dispatcher run on its own schedule: each attempt happens only once its backoff has passed.
    const deadline = Date.now() + 20_000;
    let current = row;
    while (current.status === 'PENDING' && Date.now() < deadline) {
      await dispatcher.drain();
      await new Promise((resolve) => setTimeout(resolve, 25));
      current = await t.prisma.outboxMessage.findUniqueOrThrow({ where: { id: row.id } });
    }
    expect(current).toMatchObject({ status: 'FAILED', attempts: MAX_ATTEMPTS });
    expect(current.lastError).toContain('HTTP 503');
    const attempts = receiver.requests.filter((r) => r.path === '/flaky' && r.headers['x-orderline-event-id'] === row.id);
    expect(attempts).toHaveLength(MAX_ATTEMPTS);
    // Every retry waits at least half of its doubling window (equal jitter): 150 ms, 300 ms, 600 ms ...
    attempts.slice(1).forEach((attempt, i) => {
      const gap = attempt.receivedAt - attempts[i].receivedAt;
      const window = BACKOFF_BASE_MS * 2 ** i;
      expect(gap).toBeGreaterThanOrEqual(window / 2 - 5);
      expect(gap).toBeLessThan(window + 2_000);
    });

    const failed = await t.http.get('/admin/outbox?status=failed').set(auth()).expect(200);
    expect(failed.body.items.map((i: { id: string }) => i.id)).toContain(row.id);
    expect(failed.body.items.every((i: { status: string }) => i.status === 'FAILED')).toBe(true);

    receiver.respond = () => ({ status: 200 });
    const retried = await t.http.post(`/admin/outbox/${row.id}/retry`).set(auth()).expect(200);
    expect(retried.body).toMatchObject({ id: row.id, status: 'PENDING', attempts: 0 });
    await dispatcher.drain();
    expect(await t.prisma.outboxMessage.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'DELIVERED',
      attempts: 1,
      lastError: null,
    });
    const all = receiver.requests.filter((r) => r.headers['x-orderline-event-id'] === row.id);
    expect(all).toHaveLength(MAX_ATTEMPTS + 1);
    // Every attempt carries the same event id and body (receivers dedupe on it); only the timestamp and signature move.
    expect(new Set(all.map((r) => r.body)).size).toBe(1);
    expect(all.every((r) => verifySignature(endpoint.secret, r, 600))).toBe(true);

    await t.http.post(`/admin/outbox/${row.id}/retry`).set(auth()).expect(409);
    const audit = await t.prisma.auditLog.findMany({ where: { entityType: 'outbox_message', entityId: row.id } });
    expect(audit.map((a) => a.action)).toEqual(['outbox.retried']);
  });

  it('records only the status of a failed delivery, never what the receiver answered, and follows no redirect', async () => {
    const failing = await createEndpoint(['order.cancelled'], '/talkative');
    const redirecting = await createEndpoint(['order.cancelled'], '/redirecting');
    const secret = `internal-${randomUUID()}`;
    receiver.respond = (r) =>
      r.path === '/talkative'
        ? { status: 500, body: { dump: secret } }
        : r.path === '/redirecting'
          ? { status: 302, headers: { Location: `${receiver.url}/redirected` }, body: { hint: secret } }
          : { status: 200 };
    try {
      const { order } = await codCheckout();
      await t.http.post(`/orders/${order.id}/cancel`).set(auth()).send({}).expect(200);
      await dispatcher.drain();
      const rows = await t.prisma.outboxMessage.findMany({
        where: { aggregateId: order.id, destination: { in: [`webhook:${failing.id}`, `webhook:${redirecting.id}`] } },
      });
      expect(Object.fromEntries(rows.map((r) => [r.destination, r.lastError]))).toEqual({
        [`webhook:${failing.id}`]: 'Webhook endpoint answered HTTP 500',
        [`webhook:${redirecting.id}`]: 'Webhook endpoint answered HTTP 302',
      });
      const listed = await t.http.get('/admin/outbox').query({ aggregateId: order.id, limit: 200 }).set(auth()).expect(200);
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      expect(receiver.requests.filter((r) => r.path === '/redirected')).toHaveLength(0);
    } finally {
      receiver.respond = () => ({ status: 200 });
      for (const endpoint of [failing, redirecting]) await t.http.delete(`/admin/webhook-endpoints/${endpoint.id}`).set(auth()).expect(204);
    }
  });

  it('dead-letters at once what the receiver can never accept, without retrying', async () => {
    const endpoint = await createEndpoint(['order.cancelled'], '/deleted-later');
    const { order } = await codCheckout();
    await t.http.post(`/orders/${order.id}/cancel`).set(auth()).send({}).expect(200);
    await t.http.delete(`/admin/webhook-endpoints/${endpoint.id}`).set(auth()).expect(204);
    await dispatcher.drain();
    const row = await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: order.id, destination: `webhook:${endpoint.id}` } });
    expect(row).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(row.lastError).toContain('no longer exists');
    expect(receiver.requests.filter((r) => r.path === '/deleted-later')).toHaveLength(0);
  });

  it('never hands the same message to two dispatchers running at once', async () => {
    const endpoint = await createEndpoint(['order.cancelled'], '/concurrent');
    const orders = await Promise.all(Array.from({ length: 6 }, () => codCheckout()));
    for (const { order } of orders) await t.http.post(`/orders/${order.id}/cancel`).set(auth()).send({}).expect(200);
    await Promise.all([dispatcher.drain(), dispatcher.drain(), dispatcher.drain()]);
    for (const { order } of orders) expect(forOrder('/concurrent', order.id, 'order.cancelled')).toHaveLength(1);
    expect(await t.prisma.outboxMessage.count({ where: { destination: `webhook:${endpoint.id}`, status: 'DELIVERED', attempts: 1 } })).toBe(
      6,
    );
  });

  it('announces low and out-of-stock when a movement crosses the threshold', async () => {
    const endpoint = await createEndpoint(['inventory.low_stock', 'inventory.out_of_stock'], '/stock');
    const { variantId } = await codCheckout(8, 2); // 8 → 6 available: above the default threshold of 5, no event
    const variantEvents = () =>
      webhookBodies('/stock')
        .filter(({ body }) => body.data.variant.id === variantId)
        .map(({ body }) => body);
    await dispatcher.drain();
    expect(variantEvents()).toEqual([]);

    const product = await t.prisma.variant.findUniqueOrThrow({ where: { id: variantId }, include: { product: true } });
    const checkoutVariant = (quantity: number) =>
      t.http
        .post('/orders/checkout')
        .send({
          items: [{ variantId, quantity }],
          contact: { name: 'Asha Rao', email: 'asha@example.com', phone: '+919800000001' },
          shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
          paymentMethod: 'cod',
        })
        .expect(201);
    await checkoutVariant(1); // 6 → 5: crosses into low stock
    await checkoutVariant(1); // 5 → 4: already low, no new event
    await checkoutVariant(4); // 4 → 0: out of stock
    await dispatcher.drain();
    expect(variantEvents().map((e) => [e.type, e.data.available])).toEqual([
      ['inventory.low_stock', 5],
      ['inventory.out_of_stock', 0],
    ]);
    expect(variantEvents()[0].data).toEqual({
      variant: { id: variantId, sku: product.sku, name: product.name, productId: product.productId, productName: product.product.name },
      onHand: 5,
      reserved: 0,
      available: 5,
      threshold: 5,
    });
    expect(await t.prisma.outboxMessage.count({ where: { aggregateId: variantId, destination: { startsWith: 'channel:' } } })).toBe(0);
    await t.http.patch(`/admin/webhook-endpoints/${endpoint.id}`).set(auth()).send({ active: false }).expect(200);
  });

  it('lists outbox messages page by page, newest first, and only for admins', async () => {
    const { order } = await codCheckout();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string; aggregateId: string }[]; nextCursor: string | null } } = await t.http
        .get('/admin/outbox')
        .query({ aggregateId: order.id, limit: 2, ...(cursor && { cursor }) })
        .set(auth())
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const rows = await t.prisma.outboxMessage.findMany({ where: { aggregateId: order.id } });
    expect(rows.length).toBeGreaterThan(2);
    expect(seen.sort()).toEqual(rows.map((r) => r.id).sort());

    await t.http.get('/admin/outbox?status=nonsense').set(auth()).expect(400);
    await t.http.get('/admin/outbox?cursor=bm90LWEtY3Vyc29y').set(auth()).expect(400);
    await t.http.post('/admin/outbox/not-a-uuid/retry').set(auth()).expect(400);
    await t.http.post('/admin/outbox/00000000-0000-4000-8000-000000000000/retry').set(auth()).expect(404);
    const customer = await support.registerCustomer(t);
    await t.http.get('/admin/outbox').set(support.bearer(customer.token)).expect(403);
    await t.http.get('/admin/outbox').expect(401);
  });

  it('shows the signing secret once, stores it encrypted, and never returns it again', async () => {
    const auth = support.bearer(admin.token);
    const created = await t.http
      .post('/admin/webhook-endpoints')
      .set(auth)
      .send({ url: 'https://hooks.example.com/orderline', events: ['order.paid', 'order.fulfilled'] })
      .expect(201);
    expect(created.body).toMatchObject({
      url: 'https://hooks.example.com/orderline',
      events: ['order.paid', 'order.fulfilled'],
      active: true,
    });
    const { id, secret } = created.body;
    expect(secret).toMatch(/^ol_whsec_[A-Za-z0-9_-]{43}$/);

    const stored = await t.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(stored.secretEncrypted).not.toContain(secret);
    expect(stored.secretEncrypted).not.toContain(secret.slice('ol_whsec_'.length, 20));
    const rawRow = await t.prisma.$queryRaw<unknown[]>`SELECT * FROM webhook_endpoints WHERE id = ${id}::uuid`;
    expect(JSON.stringify(rawRow)).not.toContain(secret.slice('ol_whsec_'.length));

    for (const res of [
      await t.http.get(`/admin/webhook-endpoints/${id}`).set(auth).expect(200),
      await t.http.get('/admin/webhook-endpoints').set(auth).expect(200),
    ]) {
      expect(JSON.stringify(res.body)).not.toContain(secret.slice('ol_whsec_'.length));
      expect(JSON.stringify(res.body)).not.toMatch(/secret/i);
    }
    const updated = await t.http
      .patch(`/admin/webhook-endpoints/${id}`)
      .set(auth)
      .send({ events: ['*'], active: false })
      .expect(200);
    expect(updated.body).toMatchObject({ id, events: ['*'], active: false });
    expect(updated.body.secret).toBeUndefined();

    const rotated = await t.http.post(`/admin/webhook-endpoints/${id}/rotate-secret`).set(auth).expect(200);
    expect(rotated.body.secret).toMatch(/^ol_whsec_/);
    expect(rotated.body.secret).not.toBe(secret);

    const audit = await t.prisma.auditLog.findMany({ where: { entityType: 'webhook_endpoint', entityId: id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['webhook_endpoint.created', 'webhook_endpoint.updated', 'webhook_endpoint.secret_rotated']);
    const auditText = JSON.stringify(audit.map((a) => [a.before, a.after]));
    expect(auditText).not.toContain(secret.slice('ol_whsec_'.length));
    expect(auditText).not.toContain(rotated.body.secret.slice('ol_whsec_'.length));

    await t.http.delete(`/admin/webhook-endpoints/${id}`).set(auth).expect(204);
    await t.http.get(`/admin/webhook-endpoints/${id}`).set(auth).expect(404);
  });

  it('rejects bad endpoints with field details and changes nothing', async () => {
    const auth = support.bearer(admin.token);
    const before = await t.prisma.webhookEndpoint.count();
    const bad = await t.http
      .post('/admin/webhook-endpoints')
      .set(auth)
      .send({ url: 'ftp://example.com/x', events: ['order.shipped'], extra: 1 })
      .expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['events', 'extra', 'url']);
    await t.http.post('/admin/webhook-endpoints').set(auth).send({ url: 'https://example.com/x', events: [] }).expect(400);
    await t.http
      .post('/admin/webhook-endpoints')
      .set(auth)
      .send({ url: 'https://example.com/x', events: ['order.paid', 'order.paid'] })
      .expect(400);
    await t.http.patch('/admin/webhook-endpoints/00000000-0000-4000-8000-000000000000').set(auth).send({ active: true }).expect(404);
    expect(await t.prisma.webhookEndpoint.count()).toBe(before);

    const customer = await support.registerCustomer(t);
    await t.http
      .post('/admin/webhook-endpoints')
      .set(support.bearer(customer.token))
      .send({ url: 'https://example.com/x', events: ['*'] })
      .expect(403);
    await t.http.get('/admin/webhook-endpoints').expect(401);
  });
});
