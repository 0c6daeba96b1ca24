import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { openSse, type SseClient } from './support/sse-client.js';
import { sleep } from './support/helpers.js';
import { LiveEvents } from '../src/live/live-events.service.js';
import { LiveStreams } from '../src/live/live-streams.service.js';

/**
 * Live updates over server-sent events, on one in-process app with its own database (the reconnect test cuts the
 * listening connection of this app only): what each stream hears, who may listen, heartbeats, the connection cap, the
 * listener's reconnect with a resync, and streams closed when the app shuts down.
 */
describe('live events (server-sent events fed by LISTEN/NOTIFY)', () => {
  let iso: IsolatedTestApp;
  let t: TestApp;
  let base: string;
  let admin: { token: string };
  // Imported once the isolated environment is in place: the app reads its configuration when first imported.
  let support: typeof import('./support/test-app.js');
  const bearer = (token: string) => support.bearer(token);
  const registerCustomer = (app: TestApp) => support.registerCustomer(app);
  const clients: SseClient[] = [];
  const open = async (path: string, headers: Record<string, string> = {}) => {
    const client = await openSse(`${base}${path}`, headers);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    iso = await startIsolatedTestApp({ LIVE_MAX_CONNECTIONS: '6', LIVE_HEARTBEAT_SECONDS: '1' });
    t = iso.t;
    support = await import('./support/test-app.js');
    const server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await t.app.get(LiveEvents).whenListening();
    admin = await support.createAdmin(t);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await iso?.close();
  });

  /** Waits until the app has forgotten closed streams (the cap counts open ones). */
  const streamsSettle = async (count: number) => {
    for (let i = 0; i < 50 && t.app.get(LiveStreams).size !== count; i++) await sleep(20);
    expect(t.app.get(LiveStreams).size).toBe(count);
  };

  it('sends a product snapshot, then stock changes of any checkout and product edits, as they commit', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }, { stock: 2 }]);
    const [a, b] = product.variants;
    const other = await createProductWithStock(t.prisma, [{ stock: 9 }]);
    const stream = await open(`/live/catalogue?products=${product.id}`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
    const snapshot = await stream.next((e) => e.event === 'snapshot');
    expect(Date.parse(snapshot.data.serverTime)).toBeGreaterThan(Date.now() - 5_000);
    expect(snapshot.data.products).toEqual([
      { productId: product.id, drop: { state: 'open', opensAt: null }, variants: expect.any(Array) },
    ]);
    expect(snapshot.data.products[0].variants).toHaveLength(2);
    expect(snapshot.data.products[0].variants).toEqual(
      expect.arrayContaining([
        { variantId: a.id, available: 5 },
        { variantId: b.id, available: 2 },
      ]),
    );

    await t.http
      .post('/orders/checkout')
      .send(
        checkoutBody([
          { variantId: b.id, quantity: 2 },
          { variantId: a.id, quantity: 1 },
        ]),
      )
      .expect(201);
    await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: other.variants[0].id, quantity: 1 }]))
      .expect(201);
    expect((await stream.next((e) => e.event === 'stock' && e.data.variantId === b.id)).data).toEqual({
      productId: product.id,
      variantId: b.id,
      available: 0,
    });
    expect((await stream.next((e) => e.event === 'stock' && e.data.variantId === a.id)).data.available).toBe(4);

    await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ name: 'Renamed live' }).expect(200);
    const changed = await stream.next((e) => e.event === 'product');
    expect(changed.data).toEqual({ productId: product.id, updatedAt: expect.any(String) });
    // Another product's changes are not this page's business.
    await sleep(300);
    expect(stream.events.filter((e) => e.data.productId === other.id)).toEqual([]);
  });

  it('flips an upcoming drop open at its time, for every page at once', async () => {
    const opensAt = new Date(Date.now() + 1_500);
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }], { availableFrom: opensAt });
    const stream = await open(`/live/catalogue?products=${product.id}`);
    const snapshot = await stream.next((e) => e.event === 'snapshot');
    expect(snapshot.data.products[0].drop).toEqual({ state: 'upcoming', opensAt: opensAt.toISOString() });
    const opened = await stream.next((e) => e.event === 'drop', { timeoutMs: 5_000 });
    expect(opened.data).toEqual({ productId: product.id, state: 'open', opensAt: opensAt.toISOString() });
    expect(Date.now()).toBeGreaterThanOrEqual(opensAt.getTime());
  });

  it('refuses a bad product list with field errors', async () => {
    const res = await t.http.get('/live/catalogue?products=not-a-uuid').expect(400);
    expect(res.body.details).toEqual([{ field: 'products', errors: expect.arrayContaining([expect.stringContaining('UUID')]) }]);
    const many = Array.from({ length: 101 }, () => randomUUID()).join(',');
    await t.http.get(`/live/catalogue?products=${many}`).expect(400);
  });

  it("streams one order's status to the guest holding its token (current state first), and to nobody else", async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const placed = (
      await t.http
        .post('/orders/checkout')
        .send(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]))
        .expect(201)
    ).body;
    const stranger = await registerCustomer(t);

    for (const headers of [{}, { 'X-Order-Token': 'not-the-token' }, bearer(stranger.token)] as Record<string, string>[]) {
      const refused = await open(`/live/orders/${placed.order.id}`, headers);
      await refused.ended;
      expect(refused.status).toBe(404);
      expect(refused.events[0].data).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
    const unknown = await open(`/live/orders/${randomUUID()}`, { 'X-Order-Token': placed.guestToken });
    await unknown.ended;
    expect(unknown.status).toBe(404);

    const stream = await open(`/live/orders/${placed.order.id}`, { 'X-Order-Token': placed.guestToken });
    expect(stream.status).toBe(200);
    const first = await stream.next((e) => e.event === 'order');
    expect(first.data).toEqual({ id: placed.order.id, number: placed.order.number, status: 'CONFIRMED', updatedAt: expect.any(String) });
    await t.http
      .post(`/orders/${placed.order.id}/fulfill`)
      .set(bearer(admin.token))
      .send({ carrier: 'Delhivery', trackingNumber: 'DL1' })
      .expect(200);
    const shipped = await stream.next((e) => e.event === 'order' && e.data.status === 'FULFILLED');
    expect(Date.parse(shipped.data.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.data.updatedAt));
    // No personal data on the wire: ids, number, status and version only.
    expect(Object.keys(shipped.data).sort()).toEqual(['id', 'number', 'status', 'updatedAt']);
  });

  it('streams every order change to staff only', async () => {
    const customer = await registerCustomer(t);
    const anonymous = await open('/live/orders');
    await anonymous.ended;
    expect(anonymous.status).toBe(401);
    const forbidden = await open('/live/orders', bearer(customer.token));
    await forbidden.ended;
    expect(forbidden.status).toBe(403);

    const staff = await open('/live/orders', bearer(admin.token));
    expect(staff.status).toBe(200);
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const placed = (
      await t.http
        .post('/orders/checkout')
        .send(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]))
        .expect(201)
    ).body;
    const created = await staff.next((e) => e.event === 'order' && e.data.id === placed.order.id);
    expect(created.data.status).toBe('CONFIRMED');
    await t.http.post(`/orders/${placed.order.id}/cancel`).set('X-Order-Token', placed.guestToken).send({}).expect(200);
    await staff.next((e) => e.event === 'order' && e.data.id === placed.order.id && e.data.status === 'CANCELLED');
  });

  it('keeps streams alive with heartbeats and refuses connections over the cap with 503 and Retry-After', async () => {
    await streamsSettle(0);
    const held = await Promise.all(Array.from({ length: 6 }, () => open('/live/catalogue')));
    expect(held.every((c) => c.status === 200)).toBe(true);
    const over = await open('/live/catalogue');
    await over.ended;
    expect(over.status).toBe(503);
    expect(over.headers['retry-after']).toBe('5');
    expect(over.events[0].data).toMatchObject({ statusCode: 503, message: expect.stringContaining('Too many live connections') });
    await sleep(1_300);
    expect(held[0].comments).toBeGreaterThanOrEqual(1);

    // A client leaving frees its place.
    held[0].close();
    await streamsSettle(5);
    const again = await open('/live/catalogue');
    expect(again.status).toBe(200);
  });

  it('reconnects the listening connection when the database drops it, and resyncs the streams', async () => {
    await streamsSettle(0);
    const product = await createProductWithStock(t.prisma, [{ stock: 4 }]);
    const variantId = product.variants[0].id;
    const stream = await open(`/live/catalogue?products=${product.id}`);
    await stream.next((e) => e.event === 'snapshot');
    const seen = stream.events.length;

    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      const killed = await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'orderline-live' AND datname = current_database()`,
      );
      expect(killed.rowCount).toBe(1);
      // While nobody listens, stock changes: the notification is lost, the resync snapshot carries it.
      await t.prisma.$executeRaw`UPDATE inventory_levels SET on_hand = on_hand - 1 WHERE variant_id = ${variantId}::uuid`;
    } finally {
      await db.end();
    }
    const resynced = await stream.next((e) => e.event === 'snapshot', { from: seen, timeoutMs: 15_000 });
    expect(resynced.data.products[0].variants[0].available).toBeLessThanOrEqual(3);
    expect(t.app.get(LiveEvents).listening).toBe(true);

    // And the new connection hears changes again.
    await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId, quantity: 1 }]))
      .expect(201);
    expect((await stream.next((e) => e.event === 'stock' && e.data.available === 2, { from: seen })).data.variantId).toBe(variantId);
  });

  it('ends every stream with a bye when the app shuts down, so closing does not wait for clients', async () => {
    const catalogue = await open('/live/catalogue');
    const staff = await open('/live/orders', bearer(admin.token));
    const started = Date.now();
    await iso.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await Promise.all([catalogue.ended, staff.ended]);
    for (const client of [catalogue, staff]) expect(client.events.at(-1)).toEqual({ event: 'bye', data: { reason: 'shutdown' } });
    iso = undefined as never;
  });
});
