import { startTestApp, createAdmin, registerCustomer, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';

/** CRM-lite: customers from orders, keyed by checkout phone; lifetime value from the money rules; notes and tags. */
describe('customers', () => {
  let t: TestApp;
  let admin: { token: string; id: string };
  let variantId: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
    variantId = (await createProductWithStock(t.prisma, [{ stock: 100, priceMinor: 50000 }])).variants[0].id;
  });
  afterAll(async () => {
    await t.close();
  });

  const phone = `+9191${String(Date.now()).slice(-8)}`;
  const place = async (name: string) =>
    (
      await t.http
        .post('/orders/checkout')
        .send(
          checkoutBody([{ variantId, quantity: 1 }], {
            contact: { name, phone, email: `${name.toLowerCase().replace(' ', '')}@example.com` },
          }),
        )
        .expect(201)
    ).body.order as { id: string; totalMinor: number };

  it('builds a customer from their orders: latest name, order count, and what they paid (cash collected on delivery)', async () => {
    const first = await place('Meera');
    await place('Meera Iyer');
    // The first COD order is shipped and delivered: the cash collected is paid money.
    await t.http.post(`/orders/${first.id}/fulfill`).set(bearer(admin.token)).send({}).expect(200);
    await t.http.post(`/orders/${first.id}/deliver`).set(bearer(admin.token)).send({}).expect(200);

    const res = await t.http
      .get(`/admin/customers/${encodeURIComponent(phone)}`)
      .set(bearer(admin.token))
      .expect(200);
    expect(res.body).toMatchObject({
      phone,
      name: 'Meera Iyer',
      email: 'meeraiyer@example.com',
      orders: 2,
      tags: [],
      note: null,
      rtoCount: 0,
    });
    expect(res.body.lifetimeValue).toEqual([{ currency: 'INR', amountMinor: first.totalMinor }]);

    const list = await t.http
      .get(`/admin/customers?q=${phone.slice(-6)}`)
      .set(bearer(admin.token))
      .expect(200);
    expect(list.body.items.map((c: { phone: string }) => c.phone)).toEqual([phone]);
    const byName = await t.http.get('/admin/customers?q=meera%20iyer').set(bearer(admin.token)).expect(200);
    expect(byName.body.items.map((c: { phone: string }) => c.phone)).toContain(phone);
  });

  it('keeps a note and tags (audited), filters by tag, refuses bad input and non-admins', async () => {
    const path = `/admin/customers/${encodeURIComponent(phone)}`;
    const res = await t.http
      .patch(path)
      .set(bearer(admin.token))
      .send({ note: 'Prefers evening delivery', tags: ['VIP', 'vip', 'Repeat'] })
      .expect(200);
    expect(res.body).toMatchObject({ note: 'Prefers evening delivery', tags: ['vip', 'repeat'] });
    const tagged = await t.http.get('/admin/customers?tag=vip').set(bearer(admin.token)).expect(200);
    expect(tagged.body.items.map((c: { phone: string }) => c.phone)).toEqual([phone]);
    const audit = await t.prisma.auditLog.findFirstOrThrow({ where: { entityType: 'customer', entityId: phone } });
    expect(audit.actorId).toBe(admin.id);

    await t.http
      .patch(path)
      .set(bearer(admin.token))
      .send({ tags: ['<script>'] })
      .expect(400);
    await t.http.patch(path).set(bearer(admin.token)).send({}).expect(400);
    await t.http.get('/admin/customers/%2B910000000001').set(bearer(admin.token)).expect(404);
    await t.http.get('/admin/customers/not-a-phone').set(bearer(admin.token)).expect(404);
    const customer = await registerCustomer(t);
    await t.http.get('/admin/customers').set(bearer(customer.token)).expect(403);
  });
});
