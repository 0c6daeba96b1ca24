import { randomUUID } from 'node:crypto';
import { startTestApp, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { StockLedger } from '../src/inventory/stock-ledger.js';

describe('POST /cart/quote', () => {
  let t: TestApp;
  let admin: { token: string };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const quote = (items: unknown) => t.http.post('/cart/quote').send({ items });

  it('prices each line and the total, with availability, without a token', async () => {
    const product = await createProductWithStock(t.prisma, [
      { stock: 5, priceMinor: 189900 },
      { stock: 1, priceMinor: 54900 },
    ]);
    const [a, b] = product.variants;
    const res = await quote([
      { variantId: a.id, quantity: 2 },
      { variantId: b.id, quantity: 3 },
    ]).expect(200);
    expect(res.body).toEqual({
      currency: 'INR',
      totalMinor: 2 * 189900 + 3 * 54900,
      allInStock: false,
      items: [
        {
          variantId: a.id,
          sku: a.sku,
          productId: product.id,
          productName: product.name,
          variantName: a.name,
          quantity: 2,
          unitPriceMinor: 189900,
          lineTotalMinor: 379800,
          available: 5,
          inStock: true,
        },
        {
          variantId: b.id,
          sku: b.sku,
          productId: product.id,
          productName: product.name,
          variantName: b.name,
          quantity: 3,
          unitPriceMinor: 54900,
          lineTotalMinor: 164700,
          available: 1,
          inStock: false,
        },
      ],
    });
    // A quote holds nothing.
    expect(await t.prisma.inventoryLevel.findUniqueOrThrow({ where: { variantId: a.id } })).toMatchObject({ onHand: 5, reserved: 0 });
  });

  it('counts availability net of reservations', async () => {
    const {
      variants: [v],
    } = await createProductWithStock(t.prisma, [{ stock: 6 }]);
    const ledger = t.app.get(StockLedger);
    await t.prisma.serializable(async (tx) => {
      await ledger.lock(tx, [v.id]);
      await ledger.apply(tx, [{ variantId: v.id, kind: 'RESERVATION', onHandDelta: 0, reservedDelta: 5, reason: 'test reservation' }]);
    });
    const res = await quote([{ variantId: v.id, quantity: 1 }]).expect(200);
    expect(res.body.items[0]).toMatchObject({ available: 1, inStock: true });
    expect((await quote([{ variantId: v.id, quantity: 2 }]).expect(200)).body.allInStock).toBe(false);
  });

  it('adds up the demand of a variant that appears on several lines', async () => {
    const {
      variants: [v],
    } = await createProductWithStock(t.prisma, [{ stock: 3, priceMinor: 1000 }]);
    const res = await quote([
      { variantId: v.id, quantity: 2 },
      { variantId: v.id, quantity: 2 },
    ]).expect(200);
    expect(res.body.items.map((l: { inStock: boolean; available: number }) => [l.inStock, l.available])).toEqual([
      [false, 3],
      [false, 3],
    ]);
    expect(res.body).toMatchObject({ totalMinor: 4000, allInStock: false });
    expect(
      (
        await quote([
          { variantId: v.id, quantity: 2 },
          { variantId: v.id, quantity: 1 },
        ]).expect(200)
      ).body.allInStock,
    ).toBe(true);
  });

  it('names the line of an unknown, archived, deactivated or not-yet-dropped variant', async () => {
    const {
      variants: [ok],
    } = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const archived = await createProductWithStock(t.prisma, [{ stock: 5 }], { status: 'ARCHIVED' });
    const dropAt = new Date(Date.now() + 3_600_000);
    const upcoming = await createProductWithStock(t.prisma, [{ stock: 5 }], { availableFrom: dropAt });
    const deactivated = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    await t.http.patch(`/variants/${deactivated.variants[0].id}`).set(bearer(admin.token)).send({ active: false }).expect(200);
    const unknown = randomUUID();

    const res = await quote([
      { variantId: ok.id, quantity: 1 },
      { variantId: unknown, quantity: 1 },
      { variantId: archived.variants[0].id, quantity: 1 },
      { variantId: upcoming.variants[0].id, quantity: 1 },
      { variantId: deactivated.variants[0].id, quantity: 1 },
    ]).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.details).toEqual([
      { field: 'items.1.variantId', errors: [`variant ${unknown} does not exist`] },
      { field: 'items.2.variantId', errors: [`${archived.variants[0].sku} is not for sale`] },
      { field: 'items.3.variantId', errors: [`${upcoming.variants[0].sku} is not on sale until ${dropAt.toISOString()}`] },
      { field: 'items.4.variantId', errors: [`${deactivated.variants[0].sku} is not for sale`] },
    ]);
  });

  it('sells a drop once its time has come', async () => {
    const past = await createProductWithStock(t.prisma, [{ stock: 5 }], { availableFrom: new Date(Date.now() - 1000) });
    await quote([{ variantId: past.variants[0].id, quantity: 1 }]).expect(200);
  });

  it('refuses quantities of zero or less, non-integers and malformed lines, naming each', async () => {
    const {
      variants: [v],
    } = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const res = await quote([
      { variantId: v.id, quantity: 1 },
      { variantId: v.id, quantity: 0 },
      { variantId: v.id, quantity: -2 },
      { variantId: v.id, quantity: 1.5 },
      { variantId: 'not-a-uuid', quantity: 1 },
      { variantId: v.id },
    ]).expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([
      'items.1.quantity',
      'items.2.quantity',
      'items.3.quantity',
      'items.4.variantId',
      'items.5.quantity',
    ]);
    expect((await quote([]).expect(400)).body.details).toEqual([{ field: 'items', errors: [expect.stringContaining('at least 1')] }]);
    await t.http.post('/cart/quote').send({}).expect(400);
  });

  it('takes what checkout takes: at most 100 of a line and 50 lines, within what an amount column holds', async () => {
    const {
      variants: [v],
    } = await createProductWithStock(t.prisma, [{ stock: 500 }]);
    await quote([{ variantId: v.id, quantity: 100 }]).expect(200);
    expect((await quote([{ variantId: v.id, quantity: 101 }]).expect(400)).body.details.map((d: { field: string }) => d.field)).toEqual([
      'items.0.quantity',
    ]);
    await quote(Array.from({ length: 50 }, () => ({ variantId: v.id, quantity: 1 }))).expect(200);
    expect(
      (await quote(Array.from({ length: 51 }, () => ({ variantId: v.id, quantity: 1 }))).expect(400)).body.details.map(
        (d: { field: string }) => d.field,
      ),
    ).toEqual(['items']);
    const {
      variants: [dear],
    } = await createProductWithStock(t.prisma, [{ stock: 5, priceMinor: 2_000_000_000 }]);
    expect((await quote([{ variantId: dear.id, quantity: 2 }]).expect(400)).body.details).toEqual([
      { field: 'items', errors: [expect.stringContaining('may not exceed')] },
    ]);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(doc.paths['/cart/quote'].post.responses).toEqual(expect.objectContaining({ 200: expect.anything(), 400: expect.anything() }));
    // Public: no token needed, and one sent is not read.
    expect(doc.paths['/cart/quote'].post.security).toEqual([]);
  });

  it('refuses a cart that mixes currencies, naming the odd lines', async () => {
    const inr = await createProductWithStock(t.prisma, [{ stock: 5, currency: 'INR' }]);
    const usd = await createProductWithStock(t.prisma, [{ stock: 5, currency: 'USD', priceMinor: 2500 }]);
    const res = await quote([
      { variantId: inr.variants[0].id, quantity: 1 },
      { variantId: usd.variants[0].id, quantity: 1 },
    ]).expect(400);
    expect(res.body).toMatchObject({
      message: 'A cart can hold items of one currency only',
      details: [{ field: 'items.1.variantId', errors: ['priced in USD while the cart is in INR'] }],
    });
    const usdOnly = await quote([{ variantId: usd.variants[0].id, quantity: 2 }]).expect(200);
    expect(usdOnly.body).toMatchObject({ currency: 'USD', totalMinor: 5000 });
  });

  it('answers JSON nested deeper than 32 levels with 400 and a clear code, on every route, before validation', async () => {
    const nested = (depth: number) => `{"items":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const post = (path: string, body: string) => t.http.post(path).set('Content-Type', 'application/json').send(body);
    for (const [path, depth] of [
      ['/cart/quote', 16_000],
      ['/cart/quote', 33],
      ['/auth/login', 33],
      ['/orders/checkout', 1_000],
    ] as const) {
      const res = await post(path, nested(depth)).expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'JSON nested deeper than 32 levels',
        details: { code: 'JSON_TOO_DEEP', maxDepth: 32 },
      });
    }
    // Depth counts objects and arrays, not brackets inside strings; 32 levels reach validation as usual.
    const atLimit = await post('/cart/quote', nested(32)).expect(400);
    expect(atLimit.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringMatching(/^items/) })]));
    const inStrings = await post(
      '/cart/quote',
      JSON.stringify({ items: [{ variantId: '['.repeat(100) + '{'.repeat(100), quantity: 1 }] }),
    ).expect(400);
    expect(inStrings.body.details).not.toMatchObject({ code: 'JSON_TOO_DEEP' });
  });
});
