import { startTestApp, createAdmin, bearer, registerCustomer, type TestApp } from './support/test-app.js';
import { createProductWithStock, inventoryLevel, ledgerViolations } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

/**
 * Drops: a scheduled sale with early access for listed customers (or an access code), per-customer limits counted by
 * phone, email and account inside the checkout transaction, a per-order cap, and the admin's live view and early end.
 */
describe('Drops', () => {
  let t: TestApp;
  let admin: { token: string };
  beforeAll(async () => {
    // The shared per-phone limit would answer most of the 50 parallel checkouts below with 429 before the drop's own
    // limit is reached: this file proves the drop's limit, and the rate limit has its own test with its own apps.
    process.env.DROP_RATE_LIMIT_PER_PHONE = '1000';
    process.env.DROP_RATE_LIMIT_PER_IP = '100000';
    t = await startTestApp();
    delete process.env.DROP_RATE_LIMIT_PER_PHONE;
    delete process.env.DROP_RATE_LIMIT_PER_IP;
    admin = await createAdmin(t);
  });
  afterAll(() => t.close());

  const createDrop = async (body: Record<string, unknown>) => {
    const res = await t.http.post('/admin/drops').set(bearer(admin.token)).send(body);
    expect(res.status).toBe(201);
    return res.body;
  };

  it('refuses taps before the start with 409 and the exact opening time; lets listed customers and code holders in early', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 20 }, { stock: 20 }]);
    const startsAt = inSeconds(3600);
    const drop = await createDrop({
      name: 'Friday drop',
      startsAt,
      earlyAccessStartsAt: inSeconds(1800),
      productIds: [product.id],
      accessCode: 'LINEN-VIP',
    });
    expect(drop).toMatchObject({ phase: 'scheduled', hasAccessCode: true, remaining: 40 });
    expect(drop.variants).toHaveLength(2);
    const variantId = product.variants[0].id;

    const early = await t.http.post('/orders/checkout').send(checkoutBody([{ variantId, quantity: 1 }]));
    expect(early.status).toBe(409);
    expect(early.body.details).toMatchObject({ code: 'DROP_NOT_OPEN', dropId: drop.id, opensAt: startsAt });
    expect(early.body.message).toContain(startsAt);

    // Early access opens (moved into the past); a listed phone (uploaded as CSV with a header and a junk line) gets in.
    await t.http
      .patch(`/admin/drops/${drop.id}`)
      .set(bearer(admin.token))
      .send({ earlyAccessStartsAt: inSeconds(-60) })
      .expect(200);
    const listed = checkoutBody([{ variantId, quantity: 1 }]);
    const upload = await t.http
      .post(`/admin/drops/${drop.id}/access-list`)
      .set(bearer(admin.token))
      .send({ csv: `name,phone,email\nListed,${listed.contact.phone},\nnot a contact,,\nOther,,vip@example.com\n` });
    expect(upload.status).toBe(200);
    expect(upload.body).toEqual({ added: 2, total: 2, skippedLines: [3] });

    const other = await t.http.post('/orders/checkout').send(checkoutBody([{ variantId, quantity: 1 }]));
    expect(other.status).toBe(403);
    expect(other.body.details).toMatchObject({ code: 'EARLY_ACCESS_ONLY', opensAt: startsAt });
    expect(other.body.message).toContain(startsAt);

    // The listed phone in another format still matches (its last 10 digits), the listed email with any phone, and the code.
    const phoneDigits = listed.contact.phone.slice(-10);
    await t.http
      .post('/orders/checkout')
      .send({ ...listed, contact: { ...listed.contact, phone: `0${phoneDigits}` } })
      .expect(201);
    const byEmail = checkoutBody([{ variantId, quantity: 1 }]);
    await t.http
      .post('/orders/checkout')
      .send({ ...byEmail, contact: { ...byEmail.contact, email: 'VIP@example.com' } })
      .expect(201);
    await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId, quantity: 1 }], { accessCode: 'LINEN-VIP' }))
      .expect(201);
    const wrongCode = await t.http.post('/orders/checkout').send(checkoutBody([{ variantId, quantity: 1 }], { accessCode: 'GUESS-1' }));
    expect(wrongCode.status).toBe(403);

    // Open to everyone.
    await t.http
      .patch(`/admin/drops/${drop.id}`)
      .set(bearer(admin.token))
      .send({ startsAt: inSeconds(-1) })
      .expect(200);
    await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId, quantity: 1 }]))
      .expect(201);

    const live = await t.http.get(`/admin/drops/${drop.id}`).set(bearer(admin.token)).expect(200);
    expect(live.body).toMatchObject({ phase: 'open', sold: 4, remaining: 36, accessListSize: 2 });
  });

  it('holds the per-customer limit under 50 parallel checkouts from one phone', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 100 }, { stock: 100 }]);
    const drop = await createDrop({ name: 'Limit 2', startsAt: inSeconds(-1), productIds: [product.id], perCustomerLimit: 2 });
    const phone = '+919811122233';
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const body = checkoutBody([{ variantId: product.variants[i % 2].id, quantity: 1 }]);
        // The same phone, written differently, with a different email each time: the phone alone must hold the limit.
        return t.http.post('/orders/checkout').send({ ...body, contact: { ...body.contact, phone: i % 3 ? phone : '09811122233' } });
      }),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(2);
    expect(statuses.filter((s) => s === 409)).toHaveLength(48);
    for (const refused of replies.filter((r) => r.status === 409))
      expect(refused.body.details).toMatchObject({ code: 'DROP_LIMIT', scope: 'drop', limit: 2 });
    const sold =
      (await inventoryLevel(t.prisma, product.variants[0].id)).reserved + (await inventoryLevel(t.prisma, product.variants[1].id)).reserved;
    expect(sold).toBe(0); // COD sells at once: nothing stays reserved...
    const onHand =
      (await inventoryLevel(t.prisma, product.variants[0].id)).onHand + (await inventoryLevel(t.prisma, product.variants[1].id)).onHand;
    expect(onHand).toBe(198); // ...and exactly two units left the shelf.
    expect(
      await ledgerViolations(
        t.prisma,
        product.variants.map((v) => v.id),
      ),
    ).toEqual([]);
    const live = await t.http.get(`/admin/drops/${drop.id}`).set(bearer(admin.token)).expect(200);
    expect(live.body.sold).toBe(2);
  });

  it('counts the email and the account too, per variant, and caps one order', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 50 }, { stock: 50 }]);
    const [a, b] = product.variants.map((v) => v.id);
    await createDrop({ name: 'Per variant', startsAt: inSeconds(-1), variantIds: [a, b], perVariantLimit: 1, perOrderLimit: 2 });

    const capped = await t.http.post('/orders/checkout').send(checkoutBody([{ variantId: a, quantity: 3 }]));
    expect(capped.status).toBe(409);
    expect(capped.body.details).toMatchObject({ code: 'DROP_LIMIT', scope: 'order', limit: 2 });

    const first = checkoutBody([{ variantId: a, quantity: 1 }]);
    await t.http.post('/orders/checkout').send(first).expect(201);
    // Another phone, the same email: refused for variant a, while b is still allowed.
    const sameEmail = checkoutBody([{ variantId: a, quantity: 1 }]);
    const again = await t.http
      .post('/orders/checkout')
      .send({ ...sameEmail, contact: { ...sameEmail.contact, email: first.contact.email.toUpperCase() } });
    expect(again.status).toBe(409);
    expect(again.body.details).toMatchObject({ code: 'DROP_LIMIT', scope: 'variant', variantId: a });
    await t.http
      .post('/orders/checkout')
      .send({ ...checkoutBody([{ variantId: b, quantity: 1 }]), contact: first.contact })
      .expect(201);

    // The same account with fresh phone and email each time.
    const customer = await registerCustomer(t, 'drop-buyer');
    await t.http
      .post('/orders/checkout')
      .set(bearer(customer.token))
      .send(checkoutBody([{ variantId: b, quantity: 1 }]))
      .expect(201);
    const byAccount = await t.http
      .post('/orders/checkout')
      .set(bearer(customer.token))
      .send(checkoutBody([{ variantId: b, quantity: 1 }]));
    expect(byAccount.status).toBe(409);
    expect(byAccount.body.details).toMatchObject({ code: 'DROP_LIMIT', scope: 'variant' });
  });

  it('ends a drop early: later checkouts are refused with the end time; admin routes are for admins only', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const drop = await createDrop({ name: 'Short one', startsAt: inSeconds(-10), productIds: [product.id] });
    const ended = await t.http.post(`/admin/drops/${drop.id}/end`).set(bearer(admin.token)).expect(200);
    expect(ended.body.phase).toBe('ended');
    const late = await t.http.post('/orders/checkout').send(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]));
    expect(late.status).toBe(409);
    expect(late.body.details).toMatchObject({ code: 'DROP_ENDED', endedAt: ended.body.endsAt });
    await t.http.post(`/admin/drops/${drop.id}/end`).set(bearer(admin.token)).expect(409);

    const customer = await registerCustomer(t, 'not-staff');
    await t.http.get('/admin/drops').set(bearer(customer.token)).expect(403);
    await t.http.get('/admin/drops').expect(401);
    const audit = await t.http.get(`/audit?entityType=drop&entityId=${drop.id}`).set(bearer(admin.token)).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['drop.created', 'drop.ended']);
  });

  it('refuses bad drop input field by field and changes nothing', async () => {
    const before = await t.prisma.drop.count();
    const res = await t.http
      .post('/admin/drops')
      .set(bearer(admin.token))
      .send({ name: '', startsAt: 'soon', perCustomerLimit: 0, variantIds: ['nope'] });
    expect(res.status).toBe(400);
    const fields = res.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['name', 'startsAt', 'perCustomerLimit', 'variantIds']));
    const windows = await t.http
      .post('/admin/drops')
      .set(bearer(admin.token))
      .send({
        name: 'x',
        startsAt: inSeconds(60),
        endsAt: inSeconds(30),
        variantIds: [(await createProductWithStock(t.prisma, [{ stock: 1 }])).variants[0].id],
      });
    expect(windows.status).toBe(400);
    expect(await t.prisma.drop.count()).toBe(before);
  });

  it('answers a sold-out drop from memory and still replays an idempotent checkout', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 2 }]);
    const variantId = product.variants[0].id;
    await createDrop({ name: 'Tiny', startsAt: inSeconds(-1), productIds: [product.id] });
    const first = checkoutBody([{ variantId, quantity: 2 }]);
    const bought = await t.http.post('/orders/checkout').set('Idempotency-Key', 'tiny-drop-1').send(first).expect(201);
    // Once this instance has heard the sale (LISTEN/NOTIFY), the next buyer is refused before the pipeline.
    let code: string | undefined;
    for (let tries = 0; code !== 'SOLD_OUT' && tries < 50; tries++) {
      const res = await t.http.post('/orders/checkout').send(checkoutBody([{ variantId, quantity: 1 }]));
      expect(res.status).toBe(409);
      code = res.body.details?.code;
      if (code !== 'SOLD_OUT') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(code).toBe('SOLD_OUT');
    const refused = await t.http.post('/orders/checkout').send(checkoutBody([{ variantId, quantity: 1 }]));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      statusCode: 409,
      message: 'Sold out',
      details: { lines: [{ variantId, requested: 1, available: 0 }] },
    });
    expect(refused.headers['x-request-id']).toBeDefined();
    const replay = await t.http.post('/orders/checkout').set('Idempotency-Key', 'tiny-drop-1').send(first).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.order.id).toBe(bought.body.order.id);
  });
});
