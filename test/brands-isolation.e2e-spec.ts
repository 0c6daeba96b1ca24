import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { JwtService } from '@nestjs/jwt';
import { startTestApp, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { fixturePrisma } from './support/database.js';
import { BrandsService } from '../src/brands/brands.service.js';
import { CheckoutService } from '../src/orders/checkout.service.js';
import { BrandContext, DEFAULT_BRAND_ID } from '../src/common/context/brand-context.js';
import type { CheckoutDto } from '../src/orders/dto/checkout.dto.js';

/**
 * Brands are kept apart by the database, not by each query remembering a filter: row-level security on every
 * brand-owned table, the brand set per transaction by the database layer, the app running as a role RLS applies to.
 * Brand B is created next to the default brand of this single-brand install, with the same slug and SKU.
 */
/** Tables read across brands to resolve a request (README "Brands"): they name a brand but belong to none. */
const REFERENCE_TABLES = ['brand_hosts'];

describe('Brand isolation (row-level security)', () => {
  let t: TestApp;
  let brandB: string;
  let admin: { token: string };
  const slug = `same-slug-${randomUUID().slice(0, 6)}`;
  const sku = `SAME-SKU-${randomUUID().slice(0, 6)}`;
  let defaultProduct: { id: string; variantId: string };
  let productB: { id: string; variantId: string };
  let orderB: { id: string; number: string };

  /** A product with the given slug and SKU, and stock, in the current brand. */
  const sameNamedProduct = async () => {
    const fixture = await createProductWithStock(t.prisma, [{ stock: 10 }]);
    await t.prisma.product.update({ where: { id: fixture.id }, data: { slug } });
    await t.prisma.variant.update({ where: { id: fixture.variants[0].id }, data: { sku } });
    return { id: fixture.id, variantId: fixture.variants[0].id };
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
    brandB = (await t.app.get(BrandsService).create({ slug: `brand-b-${randomUUID().slice(0, 6)}`, name: 'Brand B' })).id;
    defaultProduct = await sameNamedProduct();
    productB = await BrandContext.run(brandB, sameNamedProduct);
    // An order of brand B through the real checkout, run as brand B (what a request of brand B does).
    const body = checkoutBody([{ variantId: productB.variantId, quantity: 1 }]) as unknown as CheckoutDto;
    const placed = await BrandContext.run(brandB, () => t.app.get(CheckoutService).checkout(body, undefined, { type: 'GUEST' }));
    orderB = { id: placed.order.id, number: placed.order.number };
  });
  afterAll(() => t.close());

  it('runs the app as a role row-level security applies to', async () => {
    expect(await t.prisma.rowSecurityApplies()).toBe(true);
  });

  it('lets two brands use the same slug and SKU, and numbers orders per brand', async () => {
    expect(defaultProduct.id).not.toBe(productB.id);
    // Brand B's sequence starts at 1 whatever the default brand has used.
    expect(orderB.number).toBe('OL-000001');
    const rows = await BrandContext.run(brandB, () => t.prisma.order.findMany({ select: { brandId: true } }));
    expect(rows).toEqual([{ brandId: brandB }]);
  });

  it('puts every table with a brand column under the brand policy', async () => {
    const superuser = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await superuser.connect();
    try {
      const { rows } = await superuser.query<{ table: string; rls: boolean; policy: boolean }>(
        `SELECT c.relname AS table, c.relrowsecurity AS rls,
                EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'brand_isolation') AS policy
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE a.attname = 'brand_id' AND c.relkind = 'r' AND n.nspname = current_schema() AND NOT a.attisdropped
            AND c.relname <> ALL($1::text[])
          ORDER BY 1`,
        [REFERENCE_TABLES],
      );
      expect(rows.length).toBeGreaterThan(20);
      expect(rows.filter((row) => !row.rls || !row.policy)).toEqual([]);
    } finally {
      await superuser.end();
    }
  });

  it('stops a deliberately unscoped query at the brand of the transaction', async () => {
    const unscoped = () => t.prisma.$queryRawUnsafe<{ id: string; brand_id: string }[]>('SELECT id::text, brand_id::text FROM products');
    const asB = await BrandContext.run(brandB, unscoped);
    expect(asB).toEqual([{ id: productB.id, brand_id: brandB }]);
    const asB_inTransaction = await BrandContext.run(brandB, () =>
      t.prisma.$transaction((tx) => tx.$queryRawUnsafe<unknown[]>('SELECT 1 FROM products')),
    );
    expect(asB_inTransaction).toHaveLength(1);
    const asDefault = await unscoped();
    expect(asDefault.map((row) => row.brand_id)).toEqual(asDefault.map(() => DEFAULT_BRAND_ID));
    expect(asDefault.map((row) => row.id)).toContain(defaultProduct.id);
    // Every brand-owned table, read with no filter at all, as the default brand: nothing of brand B.
    const tables = [
      'products',
      'variants',
      'inventory_levels',
      'stock_movements',
      'orders',
      'order_items',
      'order_status_history',
      'payments',
      'audit_log',
      'outbox_messages',
      'brand_settings',
      'shipments',
      'shipment_events',
      'customer_rto_counts',
      'customer_profiles',
      'drops',
      'drop_variants',
      'drop_access_entries',
      'drop_purchase_counts',
      'waitlist_entries',
      'drop_rate_limits',
    ];
    for (const table of tables) {
      const [{ n }] = await t.prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM ${table} WHERE brand_id <> $1::uuid`,
        DEFAULT_BRAND_ID,
      );
      expect({ table, n }).toEqual({ table, n: 0 });
    }
    // ...while brand B's order did write them (as the superuser sees, who bypasses RLS).
    const superuser = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await superuser.connect();
    try {
      for (const table of ['orders', 'order_items', 'order_status_history', 'stock_movements', 'audit_log', 'payments']) {
        const { rows } = await superuser.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE brand_id = $1`, [brandB]);
        expect({ table, n: rows[0].n > 0 }).toEqual({ table, n: true });
      }
    } finally {
      await superuser.end();
    }
  });

  it("refuses to write another brand's rows, even by id and even naming its brand", async () => {
    const renamed = await t.prisma.$executeRawUnsafe(`UPDATE products SET name = 'hijacked' WHERE id = $1::uuid`, productB.id);
    expect(renamed).toBe(0);
    expect(await t.prisma.$executeRawUnsafe('DELETE FROM orders WHERE id = $1::uuid', orderB.id)).toBe(0);
    await expect(
      t.prisma.$executeRawUnsafe(
        `INSERT INTO products (id, brand_id, slug, name, updated_at) VALUES ($1::uuid, $2::uuid, 'planted', 'Planted', now())`,
        randomUUID(),
        brandB,
      ),
    ).rejects.toThrow(/row-level security/);
    const stillB = await BrandContext.run(brandB, () => t.prisma.product.findUniqueOrThrow({ where: { id: productB.id } }));
    expect(stillB.name).not.toBe('hijacked');
  });

  it('sees no brand at all on a connection of the app role with no brand set', async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query('SET ROLE orderline_app');
      expect((await client.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(0);
      await expect(
        client.query(`INSERT INTO audit_log (actor_type, action, entity_type, entity_id) VALUES ('SYSTEM', 'x', 'x', 'x')`),
      ).rejects.toThrow(/row-level security/);
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.brand_id', $1, true)`, [brandB]);
      expect((await client.query('SELECT id::text FROM orders')).rows).toEqual([{ id: orderB.id }]);
      await client.query('COMMIT');
      // SET LOCAL ended with the transaction.
      expect((await client.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it("answers 404 for another brand's ids on admin and public routes", async () => {
    await t.http.get(`/products/${productB.id}`).expect(404);
    await t.http.get(`/products/${defaultProduct.id}`).expect(200);
    await t.http.get(`/orders/${orderB.id}`).set(bearer(admin.token)).expect(404);
    await t.http.get(`/orders/${orderB.id}/history`).set(bearer(admin.token)).expect(404);
    await t.http.patch(`/products/${productB.id}`).set(bearer(admin.token)).send({ name: 'Hijacked' }).expect(404);
    const listed = await t.http.get('/orders').set(bearer(admin.token)).query({ limit: 100 }).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(orderB.id);
    const audit = await t.http.get('/audit').set(bearer(admin.token)).query({ entityType: 'order', entityId: orderB.id }).expect(200);
    expect(JSON.stringify(audit.body)).not.toContain(orderB.id);
    // The same slug resolves to the default brand's product on the default brand's routes.
    const bySlug = await t.http.get(`/products/${slug}`).expect(200);
    expect(bySlug.body.id).toBe(defaultProduct.id);
  });

  it('refuses brand sign-up outside platform mode, creating nothing', async () => {
    const brands = await t.prisma.brand.count();
    const res = await t.http
      .post('/auth/register')
      .send({ email: `owner-${randomUUID().slice(0, 6)}@example.com`, password: 'ownerpass123', name: 'Owner', brandName: 'New Brand' })
      .expect(400);
    expect(res.body.details).toEqual([{ field: 'brandName', errors: [expect.stringContaining('platform mode')] }]);
    expect(await t.prisma.brand.count()).toBe(brands);
    // A brand's admin is no platform admin.
    await t.http.get('/platform/brands').set(bearer(admin.token)).expect(403);
  });

  it('refuses a token issued for another brand', async () => {
    const jwt = t.app.get(JwtService);
    const me = await t.http.get('/auth/me').set(bearer(admin.token)).expect(200);
    const forB = await jwt.signAsync({ sub: me.body.id, email: me.body.email, role: 'ADMIN', brand: brandB });
    await t.http.get('/auth/me').set(bearer(forB)).expect(401);
    await t.http.get(`/orders/${orderB.id}`).set(bearer(forB)).expect(401);
  });

  it('sets the brand of a transaction in the round trip of its BEGIN, and a query outside one only when the connection was another brand', async () => {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
      sent.push(typeof config === 'string' ? config : (config as { text: string }).text);
      return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
    } as typeof query;
    const prisma = fixturePrisma(); // its connections are opened after the spy is in place
    try {
      const count = (tx: { $queryRaw: typeof prisma.$queryRaw }) => tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM orders`;
      const [inB] = await BrandContext.run(brandB, () => prisma.serializable(count));
      expect(inB.n).toBe(1);
      const begins = sent.filter((text) => text.startsWith('BEGIN'));
      expect(begins).toEqual([`BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT set_config('app.brand_id', '${brandB}', true)`]);
      expect(sent.filter((text) => text.includes('set_config'))).toHaveLength(1);
      sent.length = 0;
      // Outside a transaction: brand B's query sets its connection's session brand first; default-brand work on that
      // connection sets it back; work of the brand a connection already is sends nothing extra.
      expect((await BrandContext.run(brandB, () => count(prisma)))[0].n).toBe(1);
      expect(sent.filter((text) => text.includes('set_config'))).toHaveLength(1);
      sent.length = 0;
      for (let i = 0; i < 3; i++) await BrandContext.run(DEFAULT_BRAND_ID, () => count(prisma));
      expect(sent.filter((text) => text.includes('set_config')).length).toBeLessThanOrEqual(1);
    } finally {
      pg.Client.prototype.query = query;
      await prisma.$disconnect();
    }
  });

  it('keeps the brand filter usable by indexes (the policy qualifies the brand-leading unique key)', async () => {
    const plan = await t.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN SELECT id FROM variants WHERE sku = '${sku}'`);
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/variants_brand_id_sku_key/);
  });

  it('serves a status tab of the staff list and the expiry claim from indexes, not by filtering the enum row by row', async () => {
    // Under the policy a condition on the status enum is never an index condition (enum equality is not leakproof):
    // the partial indexes per status make it unnecessary. Plans forced onto plain index scans, whatever the table size.
    const explain = (sql: string) =>
      t.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off');
        const rows = await tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`);
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    const tab = await explain(`SELECT id FROM orders WHERE status = 'PAID' ORDER BY created_at DESC, id DESC LIMIT 50`);
    expect(tab).toMatch(/orders_brand_id_created_at_id_paid_idx/);
    expect(tab).not.toMatch(/Filter:.*status/);
    const claim = await explain(
      `SELECT id FROM orders WHERE status = 'PAYMENT_PENDING' AND reservation_expires_at <= now() ORDER BY reservation_expires_at LIMIT 500`,
    );
    expect(claim).toMatch(/orders_brand_id_reservation_expires_at_pending_idx/);
    expect(claim).toMatch(/Index Cond:.*reservation_expires_at/);
    // The staff search for a whole email or phone number (an order number: the brand-leading unique key, as above):
    // index conditions under the policy (text equality is leakproof), unlike a name's ILIKE. Two values, ordered by the
    // column with sorting off: only the column's index gives that order (with one value the order is trivially met, and
    // the brand index may win on statistics), so it is the plan whatever the table's size; the point is that the values
    // are its index condition, not a filter over the whole index.
    for (const [condition, index] of [
      [`email IN ('someone@example.com', 'someone-else@example.com')`, 'orders_email_idx'],
      [`phone IN ('+919812345678', '+919812345679')`, 'orders_phone_idx'],
    ]) {
      const column = condition.split(' ')[0];
      const search = await explain(`SELECT id FROM orders WHERE ${condition} ORDER BY ${column}`);
      expect(search).toMatch(new RegExp(`${index}[\\s\\S]*Index Cond:.*${column}`));
    }
  });
});
