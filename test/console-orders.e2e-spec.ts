import { randomUUID } from 'node:crypto';
import { startTestApp, createAdmin, registerCustomer, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

/** The console's order list: keyset pages, filters, bulk fulfilment and the CSV export. */
describe('staff order list (console)', () => {
  let t: TestApp;
  let admin: { token: string; id: string };
  let variantId: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
    variantId = (await createProductWithStock(t.prisma, [{ stock: 500 }])).variants[0].id;
  });
  afterAll(async () => {
    await t.close();
  });

  const checkout = async (overrides: Record<string, unknown> = {}) =>
    (
      await t.http
        .post('/orders/checkout')
        .send(checkoutBody([{ variantId, quantity: 1 }], overrides))
        .expect(201)
    ).body.order as {
      id: string;
      number: string;
      phone: string;
    };
  const list = (query: string) => t.http.get(`/orders?${query}`).set(bearer(admin.token));

  it('pages by cursor through every order exactly once, newest first, even when orders share a creation time', async () => {
    const placed = [];
    for (let i = 0; i < 7; i++) placed.push(await checkout());
    // Five orders with the same created_at: the id breaks the tie, so none is skipped or repeated between pages.
    const tied = new Date('2030-01-01T00:00:00.000Z');
    await t.prisma.order.updateMany({ where: { id: { in: placed.slice(1, 6).map((o) => o.id) } }, data: { createdAt: tied } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: { id: string }[]; total: number; nextCursor: string | null } } = await list(
        `limit=2&from=2029-01-01T00:00:00Z${cursor ? `&cursor=${cursor}` : ''}`,
      ).expect(200);
      seen.push(...res.body.items.map((o: { id: string }) => o.id));
      expect(res.body.total).toBe(5);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(placed.slice(1, 6).map((o) => o.id)));
    expect(seen).toEqual([...seen].sort().reverse());

    const bad = await list('cursor=not-a-cursor').expect(400);
    expect(bad.body.details).toEqual([{ field: 'cursor', errors: ['cursor must be a nextCursor from a previous page'] }]);
  });

  it("counts once per walk: a cursor page repeats its first page's count; a position-only cursor counts again", async () => {
    const filter = `limit=1&from=2031-01-01T00:00:00Z`;
    const placed = [await checkout(), await checkout()];
    await t.prisma.order.updateMany({
      where: { id: { in: placed.map((o) => o.id) } },
      data: { createdAt: new Date('2031-06-01T00:00:00.000Z') },
    });
    const first = await list(filter).expect(200);
    expect(first.body).toMatchObject({ total: 2, totalCapped: false });
    // A third order joins the filter after the first page: the walk keeps the count it started with.
    const late = await checkout();
    await t.prisma.order.update({ where: { id: late.id }, data: { createdAt: new Date('2031-01-02T00:00:00.000Z') } });
    const next = await list(`${filter}&cursor=${first.body.nextCursor}`).expect(200);
    expect(next.body).toMatchObject({ total: 2, totalCapped: false });
    // The cursor of an earlier version (the position alone) is still taken, and its page counts afresh.
    const [at, id] = Buffer.from(first.body.nextCursor, 'base64url').toString().split('|');
    const positionOnly = Buffer.from(`${at}|${id}`).toString('base64url');
    const recounted = await list(`${filter}&cursor=${positionOnly}`).expect(200);
    expect(recounted.body.items.map((o: { id: string }) => o.id)).toEqual(next.body.items.map((o: { id: string }) => o.id));
    expect(recounted.body.total).toBe(3);
    const forged = Buffer.from(`${at}|${id}|99999999|0`).toString('base64url');
    await list(`${filter}&cursor=${forged}`).expect(400);
  });

  it('filters by payment method and by date range', async () => {
    const cod = await checkout();
    const res = await list(`paymentMethod=cod&q=${encodeURIComponent(cod.phone)}`).expect(200);
    expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([cod.id]);
    await list(`paymentMethod=stripe&q=${encodeURIComponent(cod.phone)}`)
      .expect(200)
      .expect((r) => expect(r.body.items).toEqual([]));
    const inFuture = await list(`from=2099-01-01T00:00:00Z&q=${encodeURIComponent(cod.phone)}`).expect(200);
    expect(inFuture.body.total).toBe(0);
    const bad = await list('paymentMethod=not%20a%20method').expect(400);
    expect(JSON.stringify(bad.body.details)).toContain('paymentMethod');
  });

  it('fulfils many orders in one call, each on its own, reporting each result', async () => {
    const [a, b, c] = [await checkout(), await checkout(), await checkout()];
    await t.http.post(`/orders/${b.id}/cancel`).set(bearer(admin.token)).send({}).expect(200);
    const unknown = randomUUID();
    const res = await t.http
      .post('/orders/bulk-fulfill')
      .set(bearer(admin.token))
      .send({ orderIds: [a.id, b.id, unknown, c.id], carrier: 'Delhivery' })
      .expect(200);
    expect(res.body).toMatchObject({ fulfilled: 2, failed: 2 });
    expect(res.body.results.map((r: { orderId: string; ok: boolean }) => [r.orderId, r.ok])).toEqual([
      [a.id, true],
      [b.id, false],
      [unknown, false],
      [c.id, true],
    ]);
    expect(res.body.results[0].order).toMatchObject({ status: 'FULFILLED', carrier: 'Delhivery' });
    expect(res.body.results[1].error.statusCode).toBe(409);
    expect(res.body.results[2].error.statusCode).toBe(404);
    const statuses = await t.prisma.order.findMany({ where: { id: { in: [a.id, b.id, c.id] } }, select: { id: true, status: true } });
    expect(Object.fromEntries(statuses.map((o) => [o.id, o.status]))).toEqual({
      [a.id]: 'FULFILLED',
      [b.id]: 'CANCELLED',
      [c.id]: 'FULFILLED',
    });
    // Each fulfilment is in the order's history, by this admin.
    const history = await t.prisma.orderStatusHistory.findFirst({ where: { orderId: a.id, event: 'FULFILL' } });
    expect(history?.actorId).toBe(admin.id);

    await t.http.post('/orders/bulk-fulfill').set(bearer(admin.token)).send({ orderIds: [] }).expect(400);
    await t.http
      .post('/orders/bulk-fulfill')
      .set(bearer(admin.token))
      .send({ orderIds: ['nope'] })
      .expect(400);
    const customer = await registerCustomer(t);
    await t.http
      .post('/orders/bulk-fulfill')
      .set(bearer(customer.token))
      .send({ orderIds: [a.id] })
      .expect(403);
  });

  it('exports the filtered list as CSV, every matching order once, formulas defused', async () => {
    const tag = randomUUID().slice(0, 6);
    const orders = [];
    for (let i = 0; i < 3; i++)
      orders.push(await checkout({ contact: { name: `=HYPERLINK("x") ${tag}`, phone: `+9197${Date.now() % 1e6}${i}` } }));
    const res = await t.http
      .get(`/orders/export.csv?q=${encodeURIComponent(tag)}`)
      .set(bearer(admin.token))
      .buffer(true)
      .parse((response, done) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => done(null, text));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="orders-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (res.body as string).trim().split('\r\n');
    expect(lines[0]).toBe(
      'number,created_at,status,payment_method,currency,total_minor,customer_name,phone,email,city,postal_code,country,items,carrier,tracking_number',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(orders.map((o) => o.number).reverse());
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"") ${tag}"`);
    await t.http.get('/orders/export.csv').expect(401);
  });
});
