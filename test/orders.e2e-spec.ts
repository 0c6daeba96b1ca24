import { randomUUID } from 'node:crypto';
import { startTestApp, registerCustomer, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock, ledgerViolations, inventoryLevel } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

describe('orders API', () => {
  let t: TestApp;
  let admin: { token: string; id: string };
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const checkout = async (body: ReturnType<typeof checkoutBody>, token?: string) => {
    const req = t.http.post('/orders/checkout');
    if (token) req.set(bearer(token));
    return (await req.send(body).expect(201)).body;
  };

  it("lists a customer's own orders, newest first, paginated", async () => {
    const customer = await registerCustomer(t);
    const other = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 10 }]);
    const line = [{ variantId: product.variants[0].id, quantity: 1 }];
    const placed = [];
    for (let i = 0; i < 3; i++) placed.push((await checkout(checkoutBody(line), customer.token)).order.id);
    await checkout(checkoutBody(line), other.token);
    await checkout(checkoutBody(line));

    const first = await t.http.get('/orders/my-orders?limit=2').set(bearer(customer.token)).expect(200);
    expect(first.body).toMatchObject({ page: 1, limit: 2, total: 3 });
    expect(first.body.items.map((o: { id: string }) => o.id)).toEqual([placed[2], placed[1]]);
    expect(first.body.items[0].items).toHaveLength(1);
    const second = await t.http.get('/orders/my-orders?limit=2&page=2').set(bearer(customer.token)).expect(200);
    expect(second.body.items.map((o: { id: string }) => o.id)).toEqual([placed[0]]);
    await t.http.get('/orders/my-orders?limit=101').set(bearer(customer.token)).expect(400);
    await t.http.get('/orders/my-orders').expect(401);
  });

  it('shows an order to its customer and admins only; everyone else, and ids that are not ids, get 404', async () => {
    const owner = await registerCustomer(t);
    const stranger = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 1 }]);
    const { order } = await checkout(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]), owner.token);
    await t.http.get(`/orders/${order.id}`).set(bearer(owner.token)).expect(200);
    await t.http.get(`/orders/${order.id}`).set(bearer(admin.token)).expect(200);
    await t.http.get(`/orders/${order.id}`).set(bearer(stranger.token)).expect(404);
    await t.http.get(`/orders/${order.id}`).expect(404);
    await t.http.get(`/orders/${order.id}/history`).set(bearer(stranger.token)).expect(404);
    await t.http.post(`/orders/${order.id}/cancel`).set(bearer(stranger.token)).send({}).expect(404);
    await t.http.get(`/orders/${randomUUID()}`).set(bearer(admin.token)).expect(404);
    const bad = await t.http.get("/orders/1' OR '1'='1").set(bearer(admin.token)).expect(404);
    expect(bad.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect((await t.prisma.order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe('CONFIRMED');
  });

  it('lets the customer cancel before payment, releasing the reservation through the state machine', async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const variantId = product.variants[0].id;
    const { order } = await checkout(checkoutBody([{ variantId, quantity: 2 }], { paymentMethod: 'stripe' }), customer.token);
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 5, reserved: 2 });

    const res = await t.http.post(`/orders/${order.id}/cancel`).set(bearer(customer.token)).send({ reason: 'changed my mind' }).expect(200);
    expect(res.body).toMatchObject({ id: order.id, status: 'CANCELLED', reservationExpiresAt: null });
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 5, reserved: 0 });
    const release = await t.prisma.stockMovement.findMany({ where: { orderId: order.id, kind: 'RELEASE' } });
    expect(release).toEqual([expect.objectContaining({ variantId, onHandDelta: 0, reservedDelta: -2, actorId: customer.id })]);
    expect(await ledgerViolations(t.prisma, [variantId])).toEqual([]);

    const history = await t.http.get(`/orders/${order.id}/history`).set(bearer(customer.token)).expect(200);
    expect(history.body.at(-1)).toMatchObject({
      fromStatus: 'PAYMENT_PENDING',
      toStatus: 'CANCELLED',
      event: 'CANCEL',
      reason: 'changed my mind',
      actorType: 'USER',
    });
    const audit = await t.prisma.auditLog.findFirstOrThrow({ where: { entityId: order.id, action: 'order.cancel' } });
    expect(audit).toMatchObject({
      actorType: 'USER',
      actorId: customer.id,
      before: { status: 'PAYMENT_PENDING' },
      after: { status: 'CANCELLED', reason: 'changed my mind' },
    });

    // Cancelling again is an illegal transition: 409 naming the state and the event, nothing released twice.
    const again = await t.http.post(`/orders/${order.id}/cancel`).set(bearer(customer.token)).send({}).expect(409);
    expect(again.body.message).toContain('CANCELLED');
    expect(again.body.message).toContain('CANCEL');
    expect(again.body.details).toEqual({ currentStatus: 'CANCELLED', event: 'CANCEL' });
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 5, reserved: 0 });
  });

  it('lets a guest cancel with the order token, and puts a confirmed cash-on-delivery order back on the shelf', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 4 }]);
    const variantId = product.variants[0].id;
    const { order, guestToken } = await checkout(checkoutBody([{ variantId, quantity: 3 }]));
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 1, reserved: 0 });
    await t.http.post(`/orders/${order.id}/cancel`).send({}).expect(404);
    const res = await t.http.post(`/orders/${order.id}/cancel`).set('X-Order-Token', guestToken).send({}).expect(200);
    expect(res.body.status).toBe('CANCELLED');
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 4, reserved: 0 });
    const restock = await t.prisma.stockMovement.findMany({ where: { orderId: order.id, kind: 'RESTOCK' } });
    expect(restock).toEqual([expect.objectContaining({ onHandDelta: 3, reservedDelta: 0 })]);
    expect(await ledgerViolations(t.prisma, [variantId])).toEqual([]);
  });

  it('has admins fulfil and deliver; delivery of cash on delivery records the cash; illegal steps get 409 naming state and event', async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const variantId = product.variants[0].id;
    const { order } = await checkout(checkoutBody([{ variantId, quantity: 1 }]), customer.token);

    await t.http.post(`/orders/${order.id}/fulfill`).set(bearer(customer.token)).send({}).expect(403);
    await t.http.post(`/orders/${order.id}/deliver`).set(bearer(customer.token)).send({}).expect(403);
    const early = await t.http.post(`/orders/${order.id}/deliver`).set(bearer(admin.token)).send({}).expect(409);
    expect(early.body).toMatchObject({
      message: expect.stringContaining('CONFIRMED'),
      details: { currentStatus: 'CONFIRMED', event: 'DELIVER' },
    });

    const fulfilled = await t.http
      .post(`/orders/${order.id}/fulfill`)
      .set(bearer(admin.token))
      .send({ carrier: 'Delhivery', trackingNumber: 'DL123456789IN' })
      .expect(200);
    expect(fulfilled.body).toMatchObject({ status: 'FULFILLED', carrier: 'Delhivery', trackingNumber: 'DL123456789IN' });
    const audit = await t.prisma.auditLog.findFirstOrThrow({ where: { entityId: order.id, action: 'order.fulfill' } });
    expect(audit).toMatchObject({
      actorId: admin.id,
      after: { status: 'FULFILLED', carrier: 'Delhivery', trackingNumber: 'DL123456789IN' },
    });

    const twice = await t.http.post(`/orders/${order.id}/fulfill`).set(bearer(admin.token)).send({}).expect(409);
    expect(twice.body.details).toEqual({ currentStatus: 'FULFILLED', event: 'FULFILL' });
    const late = await t.http.post(`/orders/${order.id}/cancel`).set(bearer(customer.token)).send({}).expect(409);
    expect(late.body.details).toEqual({ currentStatus: 'FULFILLED', event: 'CANCEL' });
    const adminCancel = await t.http.post(`/orders/${order.id}/cancel`).set(bearer(admin.token)).send({}).expect(409);
    expect(adminCancel.body.message).toBe('Order is FULFILLED; CANCEL is not allowed from that state');

    const delivered = await t.http.post(`/orders/${order.id}/deliver`).set(bearer(admin.token)).send({}).expect(200);
    expect(delivered.body.status).toBe('DELIVERED');
    const cash = await t.prisma.paymentAttempt.findMany({ where: { orderId: order.id } });
    expect(cash).toEqual([
      expect.objectContaining({ provider: 'COD', status: 'CAPTURED', amountMinor: order.totalMinor, currency: 'INR' }),
    ]);

    const history = await t.http.get(`/orders/${order.id}/history`).set(bearer(admin.token)).expect(200);
    expect(history.body.map((h: { event: string }) => h.event)).toEqual(['CHECKOUT', 'CONFIRM_COD', 'FULFILL', 'DELIVER']);
    expect(history.body[2]).toMatchObject({ actorType: 'USER', actorId: admin.id });
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it('does not let a prepaid order ship before it is paid, or be cancelled once a payment was captured', async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const { order } = await checkout(
      checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }], { paymentMethod: 'stripe' }),
      customer.token,
    );
    const res = await t.http.post(`/orders/${order.id}/fulfill`).set(bearer(admin.token)).send({}).expect(409);
    expect(res.body.details).toEqual({ currentStatus: 'PAYMENT_PENDING', event: 'FULFILL' });

    await t.prisma.paymentAttempt.create({
      data: {
        orderId: order.id,
        provider: 'STRIPE',
        providerPaymentId: `pi_${randomUUID()}`,
        status: 'CAPTURED',
        amountMinor: order.totalMinor,
        currency: 'INR',
        capturedAt: new Date(),
      },
    });
    const refused = await t.http.post(`/orders/${order.id}/cancel`).set(bearer(customer.token)).send({}).expect(409);
    expect(refused.body.message).toMatch(/captured/);
    await t.http.post(`/orders/${order.id}/cancel`).set(bearer(admin.token)).send({}).expect(409);
    expect((await t.prisma.order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe('PAYMENT_PENDING');
    expect(await inventoryLevel(t.prisma, product.variants[0].id)).toMatchObject({ reserved: 1 });
  });

  it('refuses to cancel a paid order, for customers and admins alike (refunds undo those)', async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const { order } = await checkout(
      checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }], { paymentMethod: 'stripe' }),
      customer.token,
    );
    await t.prisma.order.update({ where: { id: order.id }, data: { status: 'PAID' } });
    const customerRes = await t.http.post(`/orders/${order.id}/cancel`).set(bearer(customer.token)).send({}).expect(409);
    expect(customerRes.body.details).toEqual({ currentStatus: 'PAID', event: 'CANCEL' });
    const adminRes = await t.http.post(`/orders/${order.id}/cancel`).set(bearer(admin.token)).send({}).expect(409);
    expect(adminRes.body.message).toBe('Order is PAID; CANCEL is not allowed from that state');
  });

  it('searches orders for admins by status, dates, customer, number, email and phone', async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 20 }]);
    const line = [{ variantId: product.variants[0].id, quantity: 1 }];
    const prepaidBody = checkoutBody(line, { paymentMethod: 'stripe' });
    const prepaid = (await checkout(prepaidBody, customer.token)).order;
    const codBody = checkoutBody(line);
    const cod = (await checkout(codBody)).order;

    const search = async (query: string) => (await t.http.get(`/orders?${query}`).set(bearer(admin.token)).expect(200)).body;
    const ids = (page: { items: { id: string }[] }) => page.items.map((o) => o.id);

    expect(ids(await search(`customerId=${customer.id}`))).toEqual([prepaid.id]);
    expect(ids(await search(`q=${encodeURIComponent(codBody.contact.email)}`))).toEqual([cod.id]);
    expect(ids(await search(`q=${cod.number}`))).toEqual([cod.id]);
    expect(ids(await search(`q=${Number(cod.number.slice(3))}`))).toContain(cod.id);
    expect(ids(await search(`q=${encodeURIComponent(prepaidBody.contact.phone)}`))).toEqual([prepaid.id]);
    expect(ids(await search(`q=${prepaidBody.contact.phone.slice(3)}`))).toEqual([prepaid.id]);
    expect(ids(await search(`q=${encodeURIComponent(codBody.contact.name.toLowerCase())}`))).toEqual([cod.id]);
    expect(ids(await search(`q=${encodeURIComponent(codBody.contact.email)}&status=PAYMENT_PENDING`))).toEqual([]);
    expect(ids(await search(`q=${encodeURIComponent(prepaidBody.contact.email)}&status=PAYMENT_PENDING`))).toEqual([prepaid.id]);

    const created = new Date(prepaid.createdAt).getTime();
    const around = `from=${new Date(created - 1000).toISOString()}&to=${new Date(created + 1).toISOString()}`;
    expect(ids(await search(`customerId=${customer.id}&${around}`))).toEqual([prepaid.id]);
    expect(ids(await search(`customerId=${customer.id}&from=${new Date(created + 1).toISOString()}`))).toEqual([]);

    // Paging over this customer's orders only: other test files place orders in the same database meanwhile.
    const another = (await checkout(checkoutBody(line, { paymentMethod: 'stripe' }), customer.token)).order;
    const page = await search(`limit=1&customerId=${customer.id}`);
    expect(page).toMatchObject({ page: 1, limit: 1, total: 2, items: [expect.any(Object)] });
    const second = await search(`limit=1&page=2&customerId=${customer.id}`);
    expect(second).toMatchObject({ page: 2, limit: 1, total: 2, items: [expect.any(Object)] });
    expect([page.items[0].id, second.items[0].id].sort()).toEqual([prepaid.id, another.id].sort());
    expect(ids(await search(`limit=2&customerId=${customer.id}&page=2`))).toEqual([]);

    await t.http.get('/orders?status=NOPE').set(bearer(admin.token)).expect(400);
    await t.http.get('/orders?from=yesterday').set(bearer(admin.token)).expect(400);
    await t.http.get('/orders?customerId=abc').set(bearer(admin.token)).expect(400);
    await t.http.get('/orders').set(bearer(customer.token)).expect(403);
    await t.http.get('/orders').expect(401);
  });

  it("lists each order exactly as GET /orders/:id shows it, byte for byte (the list's response is built in SQL)", async () => {
    const customer = await registerCustomer(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 10 }, { stock: 10 }, { stock: 10 }]);
    const lines = product.variants.map((v, i) => ({ variantId: v.id, quantity: i + 1 }));
    const prepaidBody = checkoutBody(lines, { paymentMethod: 'stripe' });
    prepaidBody.contact.name = `Quote "and" back\\slash ${randomUUID()}`;
    const prepaid = (await checkout(prepaidBody, customer.token)).order;
    const cod = (await checkout(checkoutBody(lines.slice(0, 1)))).order;
    for (const order of [prepaid, cod]) {
      const one = await t.http.get(`/orders/${order.id}`).set(bearer(admin.token)).expect(200);
      const listed = await t.http.get(`/orders?q=${order.number}`).set(bearer(admin.token)).expect(200);
      expect(listed.body.items).toHaveLength(1);
      expect(JSON.stringify(listed.body.items[0])).toBe(one.text);
    }
    const page = await t.http.get(`/orders?customerId=${customer.id}&status=PAYMENT_PENDING`).set(bearer(admin.token)).expect(200);
    expect(Object.keys(page.body)).toEqual(['items', 'page', 'limit', 'total', 'totalCapped', 'nextCursor']);
    expect(page.body).toMatchObject({ page: 1, total: 1, totalCapped: false, nextCursor: null });
    expect(page.body.items[0].items.map((i: { quantity: number }) => i.quantity).sort()).toEqual([1, 2, 3]);
  });

  it('searches names for % and _ literally, not as wildcards', async () => {
    const line = [{ variantId: (await createProductWithStock(t.prisma, [{ stock: 5 }])).variants[0].id, quantity: 1 }];
    const tag = randomUUID().slice(0, 8);
    const percent = checkoutBody(line);
    percent.contact.name = `Sale ${tag} 100% off`;
    const plain = checkoutBody(line);
    plain.contact.name = `Sale ${tag} 1000 off`;
    const underscore = checkoutBody(line);
    underscore.contact.name = `Sale ${tag} a_b`;
    const [withPercent, , withUnderscore] = [
      (await checkout(percent)).order,
      (await checkout(plain)).order,
      (await checkout(underscore)).order,
    ];

    const search = async (q: string) =>
      (await t.http.get('/orders').query({ q, limit: 100 }).set(bearer(admin.token)).expect(200)).body as {
        items: { id: string; customerName: string }[];
        total: number;
      };
    expect((await search(`${tag} 100%`)).items.map((o) => o.id)).toEqual([withPercent.id]);
    expect((await search(`${tag} 10_0`)).items).toEqual([]);
    expect((await search(`${tag} a_b`)).items.map((o) => o.id)).toEqual([withUnderscore.id]);
    expect((await search(`${tag} a%b`)).items).toEqual([]);
    // "%" alone finds only names that contain a percent sign, not every order.
    const everything = await search('%');
    expect(everything.items.map((o) => o.id)).toContain(withPercent.id);
    expect(everything.items.every((o) => o.customerName.includes('%'))).toBe(true);
  });
});
