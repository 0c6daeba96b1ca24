import { randomUUID } from 'node:crypto';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

/**
 * Rate limits, request ids, metrics, body limits and security headers on the real app. Configuration is read when
 * the app module is first imported, so this file sets its environment first and imports the app afterwards.
 * TRUST_PROXY lets each test act as its own client IP (X-Forwarded-For), so the limits of one test don't leak
 * into another.
 */
const METRICS_TOKEN = `metrics-${randomUUID()}`;
Object.assign(process.env, {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_LIMIT: '10',
  RATE_LIMIT_TTL_SECONDS: '60',
  RATE_LIMIT_STRICT_LIMIT: '3',
  RATE_LIMIT_STRICT_TTL_SECONDS: '60',
  TRUST_PROXY: 'true',
  METRICS_ENABLED: 'true',
  METRICS_TOKEN,
  BODY_LIMIT: '2kb',
  CORS_ORIGINS: 'https://shop.example.com, https://admin.example.com',
  // Stripe configured (never called: only webhook signatures are checked here).
  STRIPE_SECRET_KEY: 'sk_test_ops',
  STRIPE_PUBLISHABLE_KEY: 'pk_test_ops',
  STRIPE_WEBHOOK_SECRET: 'whsec_ops_test',
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let clientCounter = 0;
/** A fresh client IP per call site. */
const newClient = () => ({ 'X-Forwarded-For': `203.0.113.${++clientCounter}` });

describe('production operations over HTTP', () => {
  let t: TestApp;
  let support: typeof import('./support/test-app.js');

  beforeAll(async () => {
    support = await import('./support/test-app.js');
    t = await support.startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('rate limits', () => {
    it('answers 429 in the common error shape with Retry-After once the strict login limit is used up', async () => {
      const client = newClient();
      const credentials = { email: support.uniqueEmail('throttled'), password: 'wrong-password' };
      for (let i = 0; i < 3; i++) {
        const res = await t.http.post('/auth/login').set(client).send(credentials).expect(401);
        expect(res.headers['x-ratelimit-limit']).toBe('3');
        expect(res.headers['x-ratelimit-remaining']).toBe(String(2 - i));
      }
      const limited = await t.http.post('/auth/login').set(client).send(credentials).expect(429);
      expect(limited.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.stringMatching(/^Too many requests; retry in \d+ s$/),
      });
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);

      // Another client is unaffected, and the limited client can still use other routes.
      await t.http.post('/auth/login').set(newClient()).send(credentials).expect(401);
      await t.http.get('/auth/me').set(client).expect(401);
    });

    it('limits registration strictly too', async () => {
      const client = newClient();
      for (let i = 0; i < 3; i++) {
        await t.http
          .post('/auth/register')
          .set(client)
          .send({ email: support.uniqueEmail('burst'), password: 'password123', name: 'Burst' })
          .expect(201);
      }
      const email = support.uniqueEmail('burst');
      await t.http.post('/auth/register').set(client).send({ email, password: 'password123', name: 'Burst' }).expect(429);
      expect(await t.prisma.user.count({ where: { email } })).toBe(0);
    });

    it('applies the looser default limit to other routes', async () => {
      const client = newClient();
      for (let i = 0; i < 10; i++) await t.http.get('/auth/me').set(client).expect(401);
      const limited = await t.http.get('/auth/me').set(client).expect(429);
      expect(limited.body.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    });

    it('limits checkout strictly', async () => {
      const client = newClient();
      const variantId = (await createProductWithStock(t.prisma, [{ stock: 10 }])).variants[0].id;
      for (let i = 0; i < 3; i++)
        await t.http
          .post('/orders/checkout')
          .set(client)
          .send(checkoutBody([{ variantId, quantity: 1 }]))
          .expect(201);
      const limited = await t.http
        .post('/orders/checkout')
        .set(client)
        .send(checkoutBody([{ variantId, quantity: 1 }]))
        .expect(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect((await t.prisma.inventoryLevel.findUniqueOrThrow({ where: { variantId } })).onHand).toBe(7);
    });

    it('never limits payment provider webhooks, whose signatures are still checked', async () => {
      const client = newClient();
      for (let i = 0; i < 12; i++) {
        const res = await t.http
          .post('/webhooks/stripe')
          .set(client)
          .set('Stripe-Signature', `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ id: `evt_ops_${i}`, type: 'payment_intent.succeeded', data: { object: {} } }));
        expect(res.status).toBe(400);
      }
    });

    it('never limits metrics scrapes or health checks', async () => {
      const client = newClient();
      for (let i = 0; i < 15; i++) {
        await t.http.get('/metrics').set(client).set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
        await t.http.get('/health').set(client).expect(200);
      }
    });
  });

  describe('request ids', () => {
    it('generates an id, echoes a caller id and replaces one that does not look like an id', async () => {
      const generated = await t.http.get('/health').expect(200);
      expect(generated.headers['x-request-id']).toMatch(UUID);
      const echoed = await t.http.get('/health').set('X-Request-Id', 'lb-7f3a:trace.42').expect(200);
      expect(echoed.headers['x-request-id']).toBe('lb-7f3a:trace.42');
      const replaced = await t.http.get('/health').set('X-Request-Id', 'not an id; drop table').expect(200);
      expect(replaced.headers['x-request-id']).toMatch(UUID);
      const error = await t.http.get('/auth/me').set('X-Request-Id', 'on-error-too').expect(401);
      expect(error.headers['x-request-id']).toBe('on-error-too');
    });

    it('stores the request id in the audit entries written during the request', async () => {
      const requestId = `ops-${randomUUID()}`;
      const given = await t.http
        .post('/auth/register')
        .set(newClient())
        .set('X-Request-Id', requestId)
        .send({ email: support.uniqueEmail('audited'), password: 'password123', name: 'Audited' })
        .expect(201);
      const entry = await t.prisma.auditLog.findFirstOrThrow({
        where: { entityType: 'user', entityId: given.body.user.id, action: 'user.registered' },
      });
      expect(entry.requestId).toBe(requestId);

      const generated = await t.http
        .post('/auth/register')
        .set(newClient())
        .send({ email: support.uniqueEmail('audited'), password: 'password123', name: 'Audited' })
        .expect(201);
      const generatedEntry = await t.prisma.auditLog.findFirstOrThrow({ where: { entityType: 'user', entityId: generated.body.user.id } });
      expect(generatedEntry.requestId).toBe(generated.headers['x-request-id']);
      expect(generatedEntry.requestId).toMatch(UUID);
    });
  });

  describe('metrics', () => {
    it('requires the metrics token', async () => {
      const missing = await t.http.get('/metrics').expect(401);
      expect(missing.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
      await t.http.get('/metrics').set('Authorization', 'Bearer wrong-token').expect(401);
      await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}x`).expect(401);
    });

    it('counts checkouts by outcome, order transitions and rejected webhooks', async () => {
      const variantId = (await createProductWithStock(t.prisma, [{ stock: 1 }])).variants[0].id;
      const scrape = async () => (await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
      const value = (text: string, series: string) =>
        Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      const created = 'orderline_checkouts_total{outcome="created"}';
      const soldOut = 'orderline_checkouts_total{outcome="sold_out"}';
      const confirmed = 'orderline_order_transitions_total{from="CREATED",to="CONFIRMED"}';
      const rejected = 'orderline_webhook_events_total{provider="stripe",result="rejected"}';
      const before = await scrape();

      await t.http
        .post('/orders/checkout')
        .set(newClient())
        .send(checkoutBody([{ variantId, quantity: 1 }]))
        .expect(201);
      const sold = await t.http
        .post('/orders/checkout')
        .set(newClient())
        .send(checkoutBody([{ variantId, quantity: 1 }]))
        .expect(409);
      expect(sold.body.details.lines).toHaveLength(1);
      await t.http
        .post('/webhooks/stripe')
        .set('Stripe-Signature', 't=1,v1=bad')
        .set('Content-Type', 'application/json')
        .send('{"id":"evt_x"}')
        .expect(400);

      const after = await scrape();
      // Other tests in this file run first, so compare with the counts before this test's traffic.
      expect(value(after, created) - value(before, created)).toBe(1);
      expect(value(after, soldOut) - value(before, soldOut)).toBe(1);
      expect(value(after, confirmed) - value(before, confirmed)).toBe(1);
      expect(value(after, rejected) - value(before, rejected)).toBe(1);
    });

    it('exposes request durations by route pattern and status, and database pool usage', async () => {
      await t.http.get('/health').expect(200);
      await t.http.get('/no-such-route/12345').expect(404);
      const res = await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.text;
      expect(text).toMatch(/^orderline_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} [1-9]\d*$/m);
      expect(text).toMatch(/^orderline_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} [1-9]\d*$/m);
      expect(text).not.toContain('12345');
      expect(text).toMatch(/^orderline_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/health",status="200"\} \d+$/m);
      expect(text).toMatch(/^orderline_db_pool_connections [1-9]\d*$/m);
      expect(text).toMatch(/^orderline_db_pool_idle_connections \d+$/m);
      expect(text).toMatch(/^orderline_db_pool_waiting_requests \d+$/m);
      expect(text).toMatch(/^orderline_db_pool_max_connections [1-9]\d*$/m);
      for (const series of [
        'orderline_checkouts_total',
        'orderline_order_transitions_total',
        'orderline_webhook_events_total',
        'orderline_reservations_expired_total',
      ]) {
        expect(text).toContain(`# TYPE ${series} counter`);
      }
    });
  });

  describe('HTTP hardening', () => {
    it('refuses a body over BODY_LIMIT with 413 in the common error shape and changes nothing', async () => {
      const email = support.uniqueEmail('huge');
      const res = await t.http
        .post('/auth/register')
        .set(newClient())
        .send({ email, password: 'password123', name: 'x'.repeat(4096) })
        .expect(413);
      expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(await t.prisma.user.count({ where: { email } })).toBe(0);
    });

    it('sends security headers and no X-Powered-By', async () => {
      const res = await t.http.get('/health').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('allows cross-origin calls from CORS_ORIGINS only', async () => {
      const allowed = await t.http
        .options('/auth/login')
        .set('Origin', 'https://shop.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.com');
      const simple = await t.http.get('/health').set('Origin', 'https://admin.example.com').expect(200);
      expect(simple.headers['access-control-allow-origin']).toBe('https://admin.example.com');
      expect(simple.headers['access-control-expose-headers']).toContain('X-Request-Id');
      const other = await t.http.get('/health').set('Origin', 'https://evil.example.net').expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('still serves the API docs under the content security policy', async () => {
      const page = await t.http.get('/docs').expect(200);
      expect(page.text).toContain('swagger-ui');
      const doc = await t.http.get('/docs-json').expect(200);
      expect(doc.body.paths['/metrics'].get.responses['200'].content).toHaveProperty(['text/plain; version=0.0.4; charset=utf-8']);
      for (const path of ['/auth/login', '/auth/register', '/orders/checkout'])
        expect(doc.body.paths[path].post.responses['429']).toBeDefined();
    });
  });
});
