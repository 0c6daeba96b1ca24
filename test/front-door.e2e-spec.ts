import net, { type AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import type { Express } from 'express';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { sleep } from './support/helpers.js';

type TestAppModule = typeof import('./support/test-app.js');

const ORIGIN = 'https://shop.example.com';
const METRICS_TOKEN = 'front-door-metrics';

/**
 * The front door (src/ops/front-door.ts): POST /orders/checkout refusals the drop's door knows from memory are answered
 * before Express. They must be the answers the full pipeline gives (a CORS request, where CORS is configured, still
 * takes that pipeline: it is the reference here), with the same edge headers, logged and counted alike; everything
 * else goes on to Express with its body already read.
 */
describe('Front door', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let bearer: TestAppModule['bearer'];
  let admin: { token: string };
  let expressHandled: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    isolated = await startIsolatedTestApp({
      CORS_ORIGINS: ORIGIN,
      METRICS_ENABLED: 'true',
      METRICS_TOKEN,
      DROP_RATE_LIMIT_PER_PHONE: '1000',
      DROP_RATE_LIMIT_PER_IP: '100000',
    });
    t = isolated.t;
    const testApp = await import('./support/test-app.js');
    bearer = testApp.bearer;
    admin = await testApp.createAdmin(t);
    // Express's app calls its own handle() for every request that reaches it.
    const express = t.app.getHttpAdapter().getInstance() as Express & { handle: (...args: unknown[]) => unknown };
    expressHandled = jest.spyOn(express, 'handle');
  });
  afterAll(async () => {
    expressHandled?.mockRestore();
    await isolated?.close();
  });

  /** A drop of a product with no stock that opens `inMs` from now (a short lead: a drop may not start in the past). */
  const soldOutDrop = async (inMs: number) => {
    const product = await createProductWithStock(t.prisma, [{ stock: 0 }]);
    const res = await t.http
      .post('/admin/drops')
      .set(bearer(admin.token))
      .send({ name: 'Front door drop', startsAt: new Date(Date.now() + inMs).toISOString(), productIds: [product.id] });
    expect(res.status).toBe(201);
    return product.variants[0].id;
  };

  /** The same request through the front door (no Origin) and through Express (a CORS request); each says which way it went. */
  const bothWays = async (send: (origin?: string) => Promise<import('supertest').Response>) => {
    expressHandled.mockClear();
    const front = await send();
    const frontReachedExpress = expressHandled.mock.calls.length;
    expressHandled.mockClear();
    const full = await send(ORIGIN);
    return { front, full, frontReachedExpress, fullReachedExpress: expressHandled.mock.calls.length };
  };

  const checkout = (body: unknown, origin?: string) => {
    const req = t.http.post('/orders/checkout').set('X-Request-Id', 'front-door-test');
    if (origin) req.set('Origin', origin);
    return typeof body === 'string' ? req.set('Content-Type', 'application/json').send(body) : req.send(body as object);
  };

  it('answers a sold-out drop before Express, exactly as the full pipeline does', async () => {
    const variantId = await soldOutDrop(300);
    await sleep(400);
    const body = checkoutBody([{ variantId, quantity: 1 }]);
    // The first tap loads the drops; from then on the door knows.
    await checkout(body);
    const { front, full, frontReachedExpress, fullReachedExpress } = await bothWays((origin) => checkout(body, origin));
    expect(frontReachedExpress).toBe(0);
    expect(fullReachedExpress).toBe(1);
    expect(front.status).toBe(409);
    expect(front.body).toEqual(full.body);
    expect(front.body).toMatchObject({ statusCode: 409, error: 'Conflict', details: { code: 'SOLD_OUT' } });
    expect(full.headers['access-control-allow-origin']).toBe(ORIGIN);
    for (const header of ['x-request-id', 'content-type', 'content-security-policy', 'x-content-type-options', 'strict-transport-security'])
      expect([header, front.headers[header]]).toEqual([header, full.headers[header]]);
    expect(front.headers['x-request-id']).toBe('front-door-test');
  });

  it('answers an early tap with the opening time before Express', async () => {
    const variantId = await soldOutDrop(3_600_000);
    const body = checkoutBody([{ variantId, quantity: 1 }]);
    await checkout(body);
    const { front, full, frontReachedExpress } = await bothWays((origin) => checkout(body, origin));
    expect(frontReachedExpress).toBe(0);
    expect(front.status).toBe(409);
    expect(front.body.details.code).toBe('DROP_NOT_OPEN');
    expect(front.body).toEqual(full.body);
  });

  it('leaves a body that is not a JSON object or array, or no cart, to the full pipeline and its 400', async () => {
    for (const text of ['{"items": [', '"a string"', '42', ' [1', '{}']) {
      const { front, full, frontReachedExpress } = await bothWays((origin) => checkout(text, origin));
      expect([text, front.status, front.body, frontReachedExpress]).toEqual([text, full.status, full.body, 1]);
      expect(front.status).toBe(400);
    }
  });

  it('passes everything else on to Express with the body it read: a checkout without drop items is placed', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    expressHandled.mockClear();
    const res = await checkout(checkoutBody([{ variantId: product.variants[0].id, quantity: 2 }]));
    expect(res.status).toBe(201);
    expect(res.body.order.items[0].quantity).toBe(2);
    expect(expressHandled.mock.calls.length).toBe(1);
    // Validation still sees the body: a bad one is a field-level 400.
    const bad = await checkout({ ...checkoutBody([{ variantId: product.variants[0].id, quantity: 0 }]) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('quantity');
  });

  it('reads a body that arrives in pieces: answers it, or hands all of it on', async () => {
    const soldOut = await soldOutDrop(300);
    await sleep(400);
    await checkout(checkoutBody([{ variantId: soldOut, quantity: 1 }]));
    const product = await createProductWithStock(t.prisma, [{ stock: 2 }]);
    // Supertest listens for each of its requests; this one talks to the server directly.
    const server = t.app.getHttpServer() as import('node:http').Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const inPieces = (body: object) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const text = Buffer.from(JSON.stringify(body));
        const socket = net.connect({ host: '127.0.0.1', port: (address as AddressInfo).port });
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.once('error', reject);
        socket.once('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          resolve({ status: Number(raw.slice(9, 12)), body: JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) });
        });
        socket.write(
          `POST /orders/checkout HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n`,
        );
        const cut = [7, Math.floor(text.length / 2), text.length];
        cut.reduce((from, to, i) => {
          setTimeout(() => socket.write(text.subarray(from, to)), 30 * (i + 1));
          return to;
        }, 0);
      });
    const refused = await inPieces(checkoutBody([{ variantId: soldOut, quantity: 1 }]));
    expect([refused.status, refused.body.details?.code]).toEqual([409, 'SOLD_OUT']);
    const placed = await inPieces(checkoutBody([{ variantId: product.variants[0].id, quantity: 2 }]));
    expect(placed.status).toBe(201);
    expect(placed.body.order.items[0].quantity).toBe(2);
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts its answers in the metrics under the checkout route', async () => {
    const metrics = await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(metrics.text).toMatch(
      /orderline_http_request_duration_seconds_count\{[^}]*route="\/orders\/checkout"[^}]*status="409"[^}]*\} [1-9]/,
    );
  });
});
