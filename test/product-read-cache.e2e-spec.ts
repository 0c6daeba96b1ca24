import pg from 'pg';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { sleep } from './support/helpers.js';
import { LiveEvents } from '../src/live/live-events.service.js';
import { ProductReadCache } from '../src/products/product-read-cache.js';

/**
 * The product read cache (GET /products/:slug and GET /products for shoppers): every answer is as fresh as the
 * database for writes made through this instance (checkout, cancellation, expiry, stock adjustment, product edits),
 * writes made elsewhere (another instance, plain SQL) arrive through the database's notification, and clients
 * revalidate with ETag / If-None-Match. On its own database: one test cuts the app's listening connection.
 */
describe('product read cache', () => {
  let iso: IsolatedTestApp;
  let t: TestApp;
  let admin: { token: string };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  /** A second connection: writes made outside this app, as another instance would. */
  let elsewhere: pg.Client;

  beforeAll(async () => {
    iso = await startIsolatedTestApp({});
    t = iso.t;
    await t.app.get(LiveEvents).whenListening();
    // Imported once the isolated environment is in place: the app reads its configuration when first imported.
    admin = await (await import('./support/test-app.js')).createAdmin(t);
    elsewhere = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await elsewhere.connect();
  });
  afterAll(async () => {
    await elsewhere?.end();
    await iso?.close();
  });

  const availableOf = async (slug: string, variantId: string) => {
    const res = await t.http.get(`/products/${slug}`).expect(200);
    return (res.body.variants as { id: string; available: number }[]).find((v) => v.id === variantId)?.available;
  };
  const availableInPage = async (category: string, variantId: string) => {
    const res = await t.http.get(`/products?category=${category}`).expect(200);
    return (res.body.items as { variants: { id: string; available: number }[] }[])
      .flatMap((p) => p.variants)
      .find((v) => v.id === variantId)?.available;
  };
  /** Polls until `read` gives `expected` (a notification's trip), failing after 5 s. */
  const eventually = async (read: () => Promise<unknown>, expected: unknown) => {
    for (let i = 0; i < 100 && (await read()) !== expected; i++) await sleep(50);
    expect(await read()).toBe(expected);
  };

  it('shows a checkout, a cancellation and a stock adjustment of this instance in the very next read', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const [variant] = product.variants;
    await t.prisma.product.update({ where: { id: product.id }, data: { category: `cache-${product.slug}` } });
    const category = `cache-${product.slug}`;
    await eventually(() => availableInPage(category, variant.id), 5);
    expect(await availableOf(product.slug, variant.id)).toBe(5);
    expect(await availableOf(product.slug, variant.id)).toBe(5); // served from memory now

    const order = (
      await t.http
        .post('/orders/checkout')
        .send(checkoutBody([{ variantId: variant.id, quantity: 2 }]))
        .expect(201)
    ).body;
    expect(await availableOf(product.slug, variant.id)).toBe(3);
    expect(await availableInPage(category, variant.id)).toBe(3);

    await t.http
      .post(`/orders/${order.order.id}/cancel`)
      .set(bearer(admin.token))
      .send({ reason: 'cache test' })
      .expect((res) => expect(res.status).toBeLessThan(300));
    expect(await availableOf(product.slug, variant.id)).toBe(5);
    expect(await availableInPage(category, variant.id)).toBe(5);

    await t.http.patch(`/inventory/${variant.id}`).set(bearer(admin.token)).send({ delta: 4, reason: 'restock' }).expect(200);
    expect(await availableOf(product.slug, variant.id)).toBe(9);
    expect(await availableInPage(category, variant.id)).toBe(9);
  });

  it('shows a product edit at once, and drops pages a change may reorder', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 1 }]);
    await t.http.get(`/products/${product.slug}`).expect(200);
    await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ name: 'Renamed at once' }).expect(200);
    expect((await t.http.get(`/products/${product.slug}`).expect(200)).body.name).toBe('Renamed at once');
    await t.http.delete(`/products/${product.id}`).set(bearer(admin.token)).expect(200);
    await t.http.get(`/products/${product.slug}`).expect(404);
  });

  it('hears writes made elsewhere (another instance, plain SQL) through the notification', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 7 }]);
    const [variant] = product.variants;
    await t.http.get(`/products/${product.slug}`).expect(200);
    expect(await availableOf(product.slug, variant.id)).toBe(7);
    await elsewhere.query(
      `WITH m AS (INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason) VALUES ($1, 'ADJUSTMENT', -3, 0, 'elsewhere'))
       UPDATE inventory_levels SET on_hand = on_hand - 3 WHERE variant_id = $1`,
      [variant.id],
    );
    await eventually(() => availableOf(product.slug, variant.id), 4);
    await elsewhere.query(`UPDATE products SET name = 'Renamed elsewhere', updated_at = now() WHERE id = $1`, [product.id]);
    await eventually(async () => (await t.http.get(`/products/${product.slug}`).expect(200)).body.name, 'Renamed elsewhere');
  });

  it('knows drops: not purchasable before the start or after the end, the window shown, right across each boundary', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 4 }]);
    await t.prisma.product.update({ where: { id: product.id }, data: { category: `drop-${product.slug}` } });
    const read = async () => (await t.http.get(`/products/${product.slug}`).expect(200)).body;
    const inPage = async () => (await t.http.get(`/products?category=drop-${product.slug}`).expect(200)).body.items[0];
    expect(await read()).toMatchObject({ purchasable: true, drop: null });
    expect(await inPage()).toMatchObject({ purchasable: true, drop: null });

    // A drop made for the (cached) product: the very next reads know it.
    const startsAt = new Date(Date.now() + 2_000);
    const created = await t.http
      .post('/admin/drops')
      .set(bearer(admin.token))
      .send({
        name: 'Clock drop',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        productIds: [product.id],
      })
      .expect(201);
    const window = { id: created.body.id, name: 'Clock drop', startsAt: startsAt.toISOString(), earlyAccessStartsAt: null };
    expect(await read()).toMatchObject({ purchasable: false, drop: window });
    expect(await inPage()).toMatchObject({ purchasable: false, drop: window });

    // It opens by the clock alone, with no write to tell the cache: the entries expire at the start.
    await sleep(startsAt.getTime() - Date.now() + 50);
    expect(await read()).toMatchObject({ purchasable: true, drop: window });
    expect(await inPage()).toMatchObject({ purchasable: true, drop: window });

    // Ended elsewhere (plain SQL, as another instance would): the drop's trigger tells every cache.
    await elsewhere.query(`UPDATE drops SET ends_at = now() WHERE id = $1`, [created.body.id]);
    await eventually(async () => (await read()).purchasable, false);
    expect((await read()).drop.endsAt).toEqual(expect.any(String));
    expect((await inPage()).purchasable).toBe(false);

    // Moved to a later window through this instance: at once.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    await t.http
      .patch(`/admin/drops/${created.body.id}`)
      .set(bearer(admin.token))
      .send({ startsAt: later, endsAt: new Date(Date.now() + 7_200_000).toISOString() })
      .expect(200);
    expect(await read()).toMatchObject({ purchasable: false, drop: { startsAt: later } });
  });

  it('answers 304 to a client holding the current entity tag, and 200 with a new tag after a change', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const [variant] = product.variants;
    const first = await t.http.get(`/products/${product.slug}`).expect(200);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    const again = await t.http.get(`/products/${product.slug}`).set('If-None-Match', etag).expect(304);
    expect(again.text).toBe('');
    await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: variant.id, quantity: 1 }]))
      .expect(201);
    const changed = await t.http.get(`/products/${product.slug}`).set('If-None-Match', etag).expect(200);
    expect(changed.headers.etag).not.toBe(etag);
    const page = await t.http.get('/products').expect(200);
    await t.http.get('/products').set('If-None-Match', page.headers.etag).expect(304);
  });

  it('serves nothing from memory while the notification connection is down, and starts empty after it reconnects', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 6 }]);
    const [variant] = product.variants;
    expect(await availableOf(product.slug, variant.id)).toBe(6);
    const live = t.app.get(LiveEvents);
    // The listening connection dies (a server restart, a network cut): notifications sent meanwhile are lost.
    const killed = await elsewhere.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'orderline-live' AND datname = current_database()`,
    );
    expect(killed.rowCount).toBe(1);
    for (let i = 0; i < 100 && live.listening; i++) await sleep(20);
    await elsewhere.query(
      `WITH m AS (INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason) VALUES ($1, 'ADJUSTMENT', -1, 0, 'while deaf'))
       UPDATE inventory_levels SET on_hand = on_hand - 1 WHERE variant_id = $1`,
      [variant.id],
    );
    expect(await availableOf(product.slug, variant.id)).toBe(5);
    await live.whenListening();
    expect(await availableOf(product.slug, variant.id)).toBe(5);
  });

  it('keeps admins out of the cache (they see archived products and inactive variants)', async () => {
    expect(t.app.get(ProductReadCache).enabled).toBe(true);
    const product = await createProductWithStock(t.prisma, [{ stock: 2 }]);
    await t.http.get(`/products/${product.slug}`).expect(200);
    await elsewhere.query(`UPDATE products SET status = 'ARCHIVED', updated_at = now() WHERE id = $1`, [product.id]);
    expect((await t.http.get(`/products/${product.slug}`).set(bearer(admin.token)).expect(200)).body.status).toBe('ARCHIVED');
  });
});
