import { createHash } from 'node:crypto';
import { startTestApp, registerCustomer, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock, ledgerViolations, inventoryLevel } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

describe('POST /orders/checkout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const ordersFor = (email: string) => t.prisma.order.count({ where: { email } });

  it('sells cash-on-delivery stock at checkout, priced from the catalogue, with history, ledger and audit', async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [
      { stock: 5, priceMinor: 49900 },
      { stock: 3, priceMinor: 1250 },
    ]);
    const [a, b] = product.variants;
    const body = checkoutBody([
      { variantId: a.id, quantity: 2 },
      { variantId: b.id, quantity: 1 },
    ]);
    const res = await t.http.post('/orders/checkout').set(bearer(customer.token)).send(body).expect(201);

    const { order } = res.body;
    expect(order).toMatchObject({
      status: 'CONFIRMED',
      paymentMethod: 'COD',
      currency: 'INR',
      subtotalMinor: 2 * 49900 + 1250,
      totalMinor: 2 * 49900 + 1250,
      userId: customer.id,
      customerName: body.contact.name,
      email: body.contact.email,
      phone: body.contact.phone,
      shippingAddress: body.shippingAddress,
      reservationExpiresAt: null,
    });
    expect(order.number).toMatch(/^OL-\d{6,}$/);
    expect(order.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          variantId: a.id,
          sku: a.sku,
          productName: product.name,
          variantName: a.name,
          unitPriceMinor: 49900,
          quantity: 2,
          lineTotalMinor: 99800,
        }),
        expect.objectContaining({ variantId: b.id, sku: b.sku, unitPriceMinor: 1250, quantity: 1, lineTotalMinor: 1250 }),
      ]),
    );
    expect(res.body.payment).toMatchObject({ method: 'COD', amountMinor: order.totalMinor, currency: 'INR' });
    // What checkout answered is what was stored.
    expect((await t.http.get(`/orders/${order.id}`).set(bearer(customer.token)).expect(200)).body).toEqual(order);
    expect(res.body.guestToken).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('guestTokenHash');

    // Sold at checkout: on hand down, nothing left reserved; each line reserved then sold in the ledger.
    expect(await inventoryLevel(t.prisma, a.id)).toMatchObject({ onHand: 3, reserved: 0 });
    expect(await inventoryLevel(t.prisma, b.id)).toMatchObject({ onHand: 2, reserved: 0 });
    const moves = await t.prisma.stockMovement.findMany({ where: { orderId: order.id }, orderBy: { id: 'asc' } });
    expect(moves.map((m) => [m.variantId, m.kind, m.onHandDelta, m.reservedDelta])).toEqual([
      [a.id, 'RESERVATION', 0, 2],
      [b.id, 'RESERVATION', 0, 1],
      [a.id, 'SALE', -2, -2],
      [b.id, 'SALE', -1, -1],
    ]);
    expect(await ledgerViolations(t.prisma, [a.id, b.id])).toEqual([]);

    const history = await t.prisma.orderStatusHistory.findMany({ where: { orderId: order.id }, orderBy: { id: 'asc' } });
    expect(history.map((h) => [h.fromStatus, h.toStatus, h.event, h.actorType, h.actorId])).toEqual([
      [null, 'CREATED', 'CHECKOUT', 'USER', customer.id],
      ['CREATED', 'CONFIRMED', 'CONFIRM_COD', 'USER', customer.id],
    ]);
    const audit = await t.prisma.auditLog.findMany({ where: { entityType: 'order', entityId: order.id }, orderBy: { id: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(['order.created', 'order.confirm_cod']);
    expect(audit[0]).toMatchObject({ actorType: 'USER', actorId: customer.id, requestId: res.headers['x-request-id'] });
    expect(audit[1]).toMatchObject({ before: { status: 'CREATED' }, after: { status: 'CONFIRMED' } });
  });

  it('reserves prepaid stock until the reservation expires and hands out the payment instructions', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 4, priceMinor: 2500 }]);
    const variant = product.variants[0];
    const before = Date.now();
    const res = await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: variant.id, quantity: 3 }], { paymentMethod: 'stripe' }))
      .expect(201);
    const { order } = res.body;
    expect(order).toMatchObject({ status: 'PAYMENT_PENDING', paymentMethod: 'STRIPE', totalMinor: 7500, userId: null });
    const ttlMs = Number(process.env.RESERVATION_TTL_SECONDS ?? 900) * 1000;
    const expiresAt = new Date(order.reservationExpiresAt).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + ttlMs);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + ttlMs);
    // Stripe is the run's provider simulator (test/setup/global-setup.mjs); a provider that is down is covered in
    // payments-stripe.e2e-spec.ts, a method that is not configured in settings.e2e-spec.ts.
    expect(res.body.payment).toMatchObject({
      method: 'STRIPE',
      amountMinor: 7500,
      currency: 'INR',
      paymentIntentId: expect.stringMatching(/^pi_/),
    });
    expect(res.body.paymentError).toBeUndefined();

    expect(await inventoryLevel(t.prisma, variant.id)).toMatchObject({ onHand: 4, reserved: 3 });
    expect((await t.http.get(`/orders/${order.id}`).set('X-Order-Token', res.body.guestToken).expect(200)).body).toEqual(order);
    const history = await t.prisma.orderStatusHistory.findMany({ where: { orderId: order.id }, orderBy: { id: 'asc' } });
    expect(history.map((h) => [h.fromStatus, h.toStatus, h.event, h.actorType])).toEqual([
      [null, 'CREATED', 'CHECKOUT', 'GUEST'],
      ['CREATED', 'PAYMENT_PENDING', 'AWAIT_PAYMENT', 'GUEST'],
    ]);
    expect(await ledgerViolations(t.prisma, [variant.id])).toEqual([]);
  });

  it('gives a guest a one-time token (only its hash stored) that opens the order, and a lookup by number plus email or phone', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 2 }]);
    const body = checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]);
    const res = await t.http.post('/orders/checkout').send(body).expect(201);
    const { order, guestToken } = res.body;
    expect(guestToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await t.prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(stored.guestTokenHash).toBe(createHash('sha256').update(guestToken).digest('hex'));

    const read = await t.http.get(`/orders/${order.id}`).set('X-Order-Token', guestToken).expect(200);
    expect(read.body).toMatchObject({ id: order.id, number: order.number, status: 'CONFIRMED' });
    expect(read.body.guestTokenHash).toBeUndefined();
    await t.http.get(`/orders/${order.id}`).expect(404);
    const tampered = `${guestToken.slice(0, -1)}${guestToken.endsWith('A') ? 'B' : 'A'}`; // one character off, never the token itself
    await t.http.get(`/orders/${order.id}`).set('X-Order-Token', tampered).expect(404);
    const history = await t.http.get(`/orders/${order.id}/history`).set('X-Order-Token', guestToken).expect(200);
    expect(history.body.map((h: { event: string }) => h.event)).toEqual(['CHECKOUT', 'CONFIRM_COD']);
    expect(history.body[0].actorId).toBeUndefined();

    const stranger = await registerCustomer(t, 'stranger');
    await t.http.get(`/orders/${order.id}`).set(bearer(stranger.token)).expect(404);
    const admin = await createAdmin(t);
    await t.http.get(`/orders/${order.id}`).set(bearer(admin.token)).expect(200);

    const digits = order.number.replace('OL-', '');
    const byEmail = await t.http
      .post('/orders/lookup')
      .send({ orderNumber: order.number, email: body.contact.email.toUpperCase() })
      .expect(200);
    expect(byEmail.body).toMatchObject({ id: order.id, items: [expect.objectContaining({ quantity: 1 })] });
    const spacedPhone = `${body.contact.phone.slice(0, 3)} ${body.contact.phone.slice(3, 8)}-${body.contact.phone.slice(8)}`;
    await t.http
      .post('/orders/lookup')
      .send({ orderNumber: String(Number(digits)), phone: spacedPhone })
      .expect(200);
    await t.http.post('/orders/lookup').send({ orderNumber: order.number, email: 'someone-else@example.com' }).expect(404);
    await t.http.post('/orders/lookup').send({ orderNumber: order.number, email: body.contact.email, phone: '+10000000000' }).expect(404);
    const missing = await t.http.post('/orders/lookup').send({ orderNumber: order.number }).expect(400);
    expect(missing.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'phone']);
  });

  it('refuses not enough stock with 409 listing the short lines, summing a variant over its lines, and changes nothing', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }, { stock: 0 }, { stock: 10 }]);
    const [a, soldOut, plenty] = product.variants;
    const body = checkoutBody([
      { variantId: a.id, quantity: 2 },
      { variantId: plenty.id, quantity: 1 },
      { variantId: a.id, quantity: 2 },
    ]);
    const res = await t.http.post('/orders/checkout').send(body).expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringContaining(a.sku) });
    expect(res.body.details.lines).toEqual([{ variantId: a.id, sku: a.sku, requested: 4, available: 3 }]);

    const soldOutRes = await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: soldOut.id, quantity: 1 }]))
      .expect(409);
    expect(soldOutRes.body.message).toMatch(/sold out/i);
    expect(soldOutRes.body.details.lines).toEqual([{ variantId: soldOut.id, sku: soldOut.sku, requested: 1, available: 0 }]);

    expect(await ordersFor(body.contact.email)).toBe(0);
    expect(await inventoryLevel(t.prisma, a.id)).toMatchObject({ onHand: 3, reserved: 0 });
    expect(await inventoryLevel(t.prisma, plenty.id)).toMatchObject({ onHand: 10, reserved: 0 });
    expect(await t.prisma.stockMovement.count({ where: { variantId: { in: [a.id, plenty.id] }, kind: { not: 'ADJUSTMENT' } } })).toBe(0);

    // Exactly the stock that is left can still be bought.
    await t.http
      .post('/orders/checkout')
      .send(
        checkoutBody([
          { variantId: a.id, quantity: 1 },
          { variantId: a.id, quantity: 2 },
        ]),
      )
      .expect(201);
    expect(await inventoryLevel(t.prisma, a.id)).toMatchObject({ onHand: 0, reserved: 0 });
  });

  it('refuses items that are unknown, inactive, archived, not yet on sale or in mixed currencies with 400 per line', async () => {
    const live = await createProductWithStock(t.prisma, [{ stock: 5 }, { stock: 5 }]);
    const archived = await createProductWithStock(t.prisma, [{ stock: 5 }], { status: 'ARCHIVED' });
    const upcoming = await createProductWithStock(t.prisma, [{ stock: 5 }], { availableFrom: new Date(Date.now() + 86_400_000) });
    const released = await createProductWithStock(t.prisma, [{ stock: 5 }], { availableFrom: new Date(Date.now() - 60_000) });
    const dollars = await createProductWithStock(t.prisma, [{ stock: 5, currency: 'USD' }]);
    await t.prisma.variant.update({ where: { id: live.variants[1].id }, data: { active: false } });
    const unknown = '00000000-0000-4000-8000-000000000000';

    const body = checkoutBody([
      { variantId: live.variants[0].id, quantity: 1 },
      { variantId: unknown, quantity: 1 },
      { variantId: live.variants[1].id, quantity: 1 },
      { variantId: archived.variants[0].id, quantity: 1 },
      { variantId: upcoming.variants[0].id, quantity: 1 },
    ]);
    const res = await t.http.post('/orders/checkout').send(body).expect(400);
    expect(res.body.details).toEqual([
      { field: 'items.1.variantId', errors: [expect.stringContaining('does not exist')] },
      { field: 'items.2.variantId', errors: [expect.stringContaining('not for sale')] },
      { field: 'items.3.variantId', errors: [expect.stringContaining('not for sale')] },
      { field: 'items.4.variantId', errors: [expect.stringContaining('not on sale until')] },
    ]);
    const mixed = await t.http
      .post('/orders/checkout')
      .send(
        checkoutBody([
          { variantId: live.variants[0].id, quantity: 1 },
          { variantId: dollars.variants[0].id, quantity: 1 },
        ]),
      )
      .expect(400);
    expect(mixed.body.details).toEqual([{ field: 'items.1.variantId', errors: ['priced in USD while the cart is in INR'] }]);

    expect(await ordersFor(body.contact.email)).toBe(0);
    expect(await inventoryLevel(t.prisma, live.variants[0].id)).toMatchObject({ onHand: 5, reserved: 0 });
    await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: released.variants[0].id, quantity: 1 }]))
      .expect(201);
  });

  it('validates the body field by field and never trusts client prices', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const variantId = product.variants[0].id;
    const cases: [Record<string, unknown>, string[]][] = [
      [{ items: [] }, ['items']],
      [{ items: [{ variantId, quantity: 0 }] }, ['items.0.quantity']],
      [{ items: [{ variantId, quantity: 101 }] }, ['items.0.quantity']],
      [{ items: [{ variantId, quantity: 1.5 }] }, ['items.0.quantity']],
      [{ items: [{ variantId: 'not-a-uuid', quantity: 1 }] }, ['items.0.variantId']],
      [{ items: Array.from({ length: 51 }, () => ({ variantId, quantity: 1 })) }, ['items']],
      [{ items: [{ variantId, quantity: 1, unitPriceMinor: 1 }] }, ['items.0.unitPriceMinor']],
      [{ totalMinor: 1 }, ['totalMinor']],
      [{ paymentMethod: 'bitcoin' }, ['paymentMethod']],
      [{ contact: { name: ' ', email: 'nope', phone: 'call me' } }, ['contact.email', 'contact.name', 'contact.phone']],
      [{ contact: undefined }, ['contact']],
      [
        { shippingAddress: { line1: 'x', city: 'y', postalCode: '!', country: 'XX' } },
        ['shippingAddress.country', 'shippingAddress.postalCode'],
      ],
    ];
    for (const [override, fields] of cases) {
      const body = checkoutBody([{ variantId, quantity: 1 }], override);
      const res = await t.http.post('/orders/checkout').send(body).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(fields);
    }
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 5, reserved: 0 });
    expect(await t.prisma.orderItem.count({ where: { variantId } })).toBe(0);

    // Normalised input: upper-case country, spaced phone, mixed-case email and method.
    const body = checkoutBody([{ variantId, quantity: 1 }], { paymentMethod: 'COD' });
    body.shippingAddress.country = 'in';
    const res = await t.http
      .post('/orders/checkout')
      .send({ ...body, contact: { ...body.contact, email: body.contact.email.toUpperCase(), phone: '+91 (98) 1234-5678' } })
      .expect(201);
    expect(res.body.order).toMatchObject({ email: body.contact.email, phone: '+919812345678', shippingAddress: { country: 'IN' } });
  });

  it('refuses an order total beyond what an amount column holds', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 1000, priceMinor: 2_000_000_000 }]);
    const res = await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: product.variants[0].id, quantity: 2 }]))
      .expect(400);
    expect(res.body.details).toEqual([{ field: 'items', errors: [expect.stringContaining('may not exceed')] }]);
  });

  it('takes a later catalogue price change into new orders only', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5, priceMinor: 1000 }]);
    const variantId = product.variants[0].id;
    const first = await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId, quantity: 1 }]))
      .expect(201);
    await t.prisma.variant.update({ where: { id: variantId }, data: { priceMinor: 1500 } });
    const second = await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId, quantity: 1 }]))
      .expect(201);
    expect(second.body.order.totalMinor).toBe(1500);
    const snapshot = await t.prisma.orderItem.findFirstOrThrow({ where: { orderId: first.body.order.id } });
    expect(snapshot.unitPriceMinor).toBe(1000);
  });

  it('documents the checkout in OpenAPI', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const op = doc.paths['/orders/checkout'].post;
    expect(op.responses['201']).toBeDefined();
    expect(op.responses['409']).toBeDefined();
    expect(op.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(doc.paths['/orders/{id}/cancel'].post.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['Idempotency-Key', 'X-Order-Token']),
    );
  });
});
