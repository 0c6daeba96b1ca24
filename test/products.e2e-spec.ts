import { randomUUID } from 'node:crypto';
import { startTestApp, registerCustomer, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { ledgerViolations } from './support/fixtures.js';

const tag = () => randomUUID().slice(0, 8);

/** A valid POST /products body with unique SKUs, name and category. */
function productBody(overrides: Record<string, unknown> = {}) {
  const t = tag();
  return {
    name: `Block Print Kurta ${t}`,
    description: 'Hand block-printed cotton.',
    category: `apparel-${t}`,
    images: ['https://images.example.com/kurta.jpg'],
    variants: [
      {
        sku: `K-${t}-S`,
        name: 'Size S',
        attributes: { size: 'S' },
        priceMinor: 189900,
        currency: 'INR',
        initialStock: 12,
        lowStockThreshold: 3,
      },
      { sku: `K-${t}-M`, name: 'Size M', attributes: { size: 'M' }, priceMinor: 199900, currency: 'INR', initialStock: 0 },
      { sku: `K-${t}-L`, name: 'Size L', attributes: { size: 'L' }, priceMinor: 199900, currency: 'INR' },
    ],
    ...overrides,
  };
}

describe('products', () => {
  let t: TestApp;
  let admin: { token: string; id: string };
  let customer: { token: string };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const createProduct = async (body: Record<string, unknown> = productBody()) =>
    (await t.http.post('/products').set(bearer(admin.token)).send(body).expect(201)).body;

  it('creates a product with variants and opening stock, through the ledger and the audit log', async () => {
    const body = productBody();
    const product = await createProduct(body);
    expect(product).toMatchObject({
      name: body.name,
      slug: body.name.toLowerCase().replaceAll(' ', '-'),
      category: body.category,
      description: body.description,
      images: body.images,
      status: 'ACTIVE',
      availableFrom: null,
      purchasable: true,
    });
    expect(product.variants.map((v: any) => [v.sku, v.name, v.priceMinor, v.currency, v.available, v.attributes])).toEqual(
      body.variants.map((v) => [v.sku, v.name, v.priceMinor, 'INR', v.initialStock ?? 0, v.attributes]),
    );

    const ids = product.variants.map((v: any) => v.id);
    const movements = await t.prisma.stockMovement.findMany({ where: { variantId: { in: ids } } });
    expect(movements).toEqual([
      expect.objectContaining({
        variantId: ids[0],
        kind: 'ADJUSTMENT',
        onHandDelta: 12,
        reservedDelta: 0,
        reason: 'initial stock',
        actorId: admin.id,
      }),
    ]);
    expect(await t.prisma.inventoryLevel.count({ where: { variantId: { in: ids } } })).toBe(3);
    expect(await ledgerViolations(t.prisma, ids)).toEqual([]);
    expect((await t.prisma.variant.findUniqueOrThrow({ where: { id: ids[0] } })).lowStockThreshold).toBe(3);

    const audit = await t.prisma.auditLog.findMany({ where: { entityType: 'product', entityId: product.id } });
    expect(audit).toEqual([expect.objectContaining({ action: 'product.created', actorType: 'USER', actorId: admin.id, before: null })]);
    expect(audit[0].after).toMatchObject({ slug: product.slug, variants: [{ sku: body.variants[0].sku, initialStock: 12 }, {}, {}] });
  });

  it('lets only admins write the catalogue', async () => {
    const body = productBody();
    await t.http.post('/products').send(body).expect(401);
    const denied = await t.http.post('/products').set(bearer(customer.token)).send(body).expect(403);
    expect(denied.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    const product = await createProduct();
    await t.http.patch(`/products/${product.id}`).set(bearer(customer.token)).send({ name: 'Hijacked' }).expect(403);
    await t.http.delete(`/products/${product.id}`).set(bearer(customer.token)).expect(403);
    await t.http.patch(`/variants/${product.variants[0].id}`).set(bearer(customer.token)).send({ priceMinor: 1 }).expect(403);
    await t.http.post(`/products/${product.id}/variants`).set(bearer(customer.token)).send(body.variants[0]).expect(403);
    expect(await t.prisma.product.count({ where: { name: body.name } })).toBe(0);
  });

  it('names every invalid field and writes nothing', async () => {
    const body = productBody();
    const res = await t.http
      .post('/products')
      .set(bearer(admin.token))
      .send({
        ...body,
        slug: 'Not A Slug',
        images: ['not-a-url'],
        availableFrom: 'tomorrow',
        variants: [
          { ...body.variants[0], priceMinor: -1, currency: 'inr', attributes: { nested: { no: 1 } } },
          { ...body.variants[1], sku: 'bad sku!', initialStock: -5 },
        ],
      })
      .expect(400);
    expect(res.body.details.map((d: any) => d.field).sort()).toEqual([
      'availableFrom',
      'images',
      'slug',
      'variants.0.attributes',
      'variants.0.currency',
      'variants.0.priceMinor',
      'variants.1.initialStock',
      'variants.1.sku',
    ]);
    const empty = await t.http
      .post('/products')
      .set(bearer(admin.token))
      .send({ ...body, variants: [] })
      .expect(400);
    expect(empty.body.details).toEqual([{ field: 'variants', errors: [expect.stringContaining('at least 1')] }]);
    expect(await t.prisma.product.count({ where: { name: body.name } })).toBe(0);
  });

  it('refuses SKUs used twice in the request or already taken, and creates nothing', async () => {
    const body = productBody();
    const twice = await t.http
      .post('/products')
      .set(bearer(admin.token))
      .send({ ...body, variants: [body.variants[0], { ...body.variants[1], sku: body.variants[0].sku }] })
      .expect(400);
    expect(twice.body.details).toEqual([{ field: 'variants.1.sku', errors: [expect.stringContaining('more than once')] }]);

    const existing = await createProduct();
    const clash = await t.http
      .post('/products')
      .set(bearer(admin.token))
      .send({ ...body, variants: [body.variants[0], { ...body.variants[1], sku: existing.variants[1].sku }] })
      .expect(409);
    expect(clash.body).toMatchObject({ statusCode: 409, message: `SKU already in use: ${existing.variants[1].sku}` });
    expect(await t.prisma.product.count({ where: { name: body.name } })).toBe(0);
    expect(await t.prisma.variant.count({ where: { sku: body.variants[0].sku } })).toBe(0);
  });

  describe('slugs', () => {
    it('generates unique slugs from the name: accents dropped, clashes numbered', async () => {
      const name = `Crème Brûlée Tin ${tag()}`;
      const expected = name
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replaceAll(' ', '-');
      const first = await createProduct(productBody({ name }));
      const second = await createProduct(productBody({ name }));
      const third = await createProduct(productBody({ name: `${name}!` }));
      expect([first.slug, second.slug, third.slug]).toEqual([expected, `${expected}-2`, `${expected}-3`]);
    });

    it('keeps explicit slugs, refuses a taken one with 409 and an invalid one with 400', async () => {
      const slug = `my-kurta-${tag()}`;
      const product = await createProduct(productBody({ slug }));
      expect(product.slug).toBe(slug);
      const taken = await t.http.post('/products').set(bearer(admin.token)).send(productBody({ slug })).expect(409);
      expect(taken.body.message).toBe(`Slug "${slug}" is already used by another product`);
      for (const bad of ['UPPER', 'two--hyphens', '-leading', 'with space', 'a/b']) {
        const res = await t.http
          .post('/products')
          .set(bearer(admin.token))
          .send(productBody({ slug: bad }))
          .expect(400);
        expect(res.body.details).toEqual([{ field: 'slug', errors: [expect.any(String)] }]);
      }
    });

    it('gives concurrent products with the same name distinct slugs', async () => {
      const name = `Drop Tee ${tag()}`;
      const results = await Promise.all(
        Array.from({ length: 5 }, () => t.http.post('/products').set(bearer(admin.token)).send(productBody({ name }))),
      );
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      const base = name.toLowerCase().replaceAll(' ', '-');
      expect(results.map((r) => r.body.slug).sort()).toEqual([base, `${base}-2`, `${base}-3`, `${base}-4`, `${base}-5`]);
    });

    it('changes a slug only when asked, and never to a taken one', async () => {
      const product = await createProduct();
      const other = await createProduct();
      const renamed = await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ name: 'Renamed Kurta' }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'Renamed Kurta', slug: product.slug });
      await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ slug: other.slug }).expect(409);
      const newSlug = `renamed-kurta-${tag()}`;
      await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ slug: newSlug }).expect(200);
      await t.http.get(`/products/${newSlug}`).expect(200);
      await t.http.get(`/products/${product.slug}`).expect(404);
    });
  });

  describe('public catalogue', () => {
    it('finds a product by slug or id without a token, with live availability', async () => {
      const product = await createProduct();
      const bySlug = await t.http.get(`/products/${product.slug}`).expect(200);
      const byId = await t.http.get(`/products/${product.id}`).expect(200);
      expect(byId.body).toEqual(bySlug.body);
      expect(bySlug.body.variants.map((v: any) => v.available)).toEqual([12, 0, 0]);
      const unknown = await t.http.get(`/products/no-such-product-${tag()}`).expect(404);
      expect(unknown.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      await t.http.get(`/products/${randomUUID()}`).expect(404);
    });

    it('pages through a category newest first, with totals', async () => {
      const category = `pager-${tag()}`;
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await createProduct(productBody({ category })));
      const newestFirst = created.reverse().map((p) => p.id);
      const page1 = await t.http.get('/products').query({ category, limit: 2 }).expect(200);
      expect(page1.body).toMatchObject({ page: 1, limit: 2, total: 5, totalPages: 3 });
      const page3 = await t.http.get('/products').query({ category, limit: 2, page: 3 }).expect(200);
      const page2 = await t.http.get('/products').query({ category, limit: 2, page: 2 }).expect(200);
      expect([...page1.body.items, ...page2.body.items, ...page3.body.items].map((p: any) => p.id)).toEqual(newestFirst);
      const beyond = await t.http.get('/products').query({ category, limit: 2, page: 4 }).expect(200);
      expect(beyond.body).toMatchObject({ items: [], total: 5, totalPages: 3 });
      const none = await t.http
        .get('/products')
        .query({ category: `empty-${tag()}` })
        .expect(200);
      expect(none.body).toMatchObject({ items: [], total: 0, totalPages: 0 });
    });

    it('searches names case-insensitively, treating wildcards literally', async () => {
      const word = `Zephyr${tag()}`;
      const match = await createProduct(productBody({ name: `Linen ${word} Shirt` }));
      await createProduct(productBody({ name: `Linen ${word.slice(0, -1)}_ Shirt` }));
      const res = await t.http.get('/products').query({ q: word.toLowerCase() }).expect(200);
      expect(res.body.items.map((p: any) => p.id)).toEqual([match.id]);
      const wildcard = await t.http
        .get('/products')
        .query({ q: `${word.slice(0, -1)}_` })
        .expect(200);
      expect(wildcard.body.total).toBe(1);
      expect((await t.http.get('/products').query({ q: '%' }).expect(200)).body.items.every((p: any) => p.name.includes('%'))).toBe(true);
    });

    it('rejects bad paging parameters', async () => {
      const res = await t.http.get('/products').query({ page: 0, limit: 500 }).expect(400);
      expect(res.body.details.map((d: any) => d.field).sort()).toEqual(['limit', 'page']);
    });

    it('hides deactivated variants from the public but shows them to admins', async () => {
      const product = await createProduct();
      const hidden = product.variants[2];
      const res = await t.http.patch(`/variants/${hidden.id}`).set(bearer(admin.token)).send({ active: false }).expect(200);
      expect(res.body).toMatchObject({ id: hidden.id, active: false });
      const pub = await t.http.get(`/products/${product.slug}`).expect(200);
      expect(pub.body.variants.map((v: any) => v.id)).toEqual(product.variants.slice(0, 2).map((v: any) => v.id));
      const adminView = await t.http.get(`/products/${product.slug}`).set(bearer(admin.token)).expect(200);
      expect(adminView.body.variants.map((v: any) => [v.id, v.active])).toEqual(
        product.variants.map((v: any, i: number) => [v.id, i !== 2]),
      );
    });
  });

  describe('archiving', () => {
    it('takes the product out of the public catalogue but keeps it for admins, and can be undone', async () => {
      const category = `archive-${tag()}`;
      const product = await createProduct(productBody({ category }));
      const archived = await t.http.delete(`/products/${product.id}`).set(bearer(admin.token)).expect(200);
      expect(archived.body).toMatchObject({ id: product.id, status: 'ARCHIVED', purchasable: false });
      await t.http.delete(`/products/${product.id}`).set(bearer(admin.token)).expect(200);

      await t.http.get(`/products/${product.slug}`).expect(404);
      await t.http.get(`/products/${product.id}`).set(bearer(customer.token)).expect(404);
      expect((await t.http.get('/products').query({ category }).expect(200)).body.total).toBe(0);
      await t.http.get('/products').query({ category, includeArchived: true }).set(bearer(customer.token)).expect(403);
      const adminList = await t.http.get('/products').query({ category, includeArchived: true }).set(bearer(admin.token)).expect(200);
      expect(adminList.body.items.map((p: any) => [p.id, p.status])).toEqual([[product.id, 'ARCHIVED']]);
      await t.http.get(`/products/${product.slug}`).set(bearer(admin.token)).expect(200);

      // The variants and their stock stay (orders may reference them).
      expect(await t.prisma.variant.count({ where: { productId: product.id } })).toBe(3);
      const audit = await t.prisma.auditLog.findMany({ where: { entityType: 'product', entityId: product.id }, orderBy: { id: 'asc' } });
      expect(audit.map((a) => [a.action, a.before, a.after])).toEqual([
        ['product.created', null, expect.anything()],
        ['product.archived', { status: 'ACTIVE' }, { status: 'ARCHIVED' }],
      ]);

      await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ status: 'ACTIVE' }).expect(200);
      expect((await t.http.get('/products').query({ category }).expect(200)).body.total).toBe(1);
    });

    it('answers 404 for unknown products and 400 for malformed ids', async () => {
      await t.http.delete(`/products/${randomUUID()}`).set(bearer(admin.token)).expect(404);
      await t.http.patch(`/products/${randomUUID()}`).set(bearer(admin.token)).send({ name: 'x' }).expect(404);
      const bad = await t.http.delete('/products/not-a-uuid').set(bearer(admin.token)).expect(400);
      expect(bad.body.details).toEqual([{ field: 'id', errors: [expect.any(String)] }]);
    });
  });

  describe('drop time', () => {
    it('lists a scheduled drop as not purchasable until its time', async () => {
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const product = await createProduct(productBody({ availableFrom: future }));
      const res = await t.http.get(`/products/${product.slug}`).expect(200);
      expect(res.body).toMatchObject({ availableFrom: future, purchasable: false });

      const past = new Date(Date.now() - 60_000).toISOString();
      await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ availableFrom: past }).expect(200);
      expect((await t.http.get(`/products/${product.slug}`).expect(200)).body).toMatchObject({ availableFrom: past, purchasable: true });
      await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ availableFrom: null }).expect(200);
      expect((await t.http.get(`/products/${product.slug}`).expect(200)).body).toMatchObject({ availableFrom: null, purchasable: true });
    });
  });

  describe('editing', () => {
    it('updates fields, clears nullable ones, audits only what changed', async () => {
      const product = await createProduct();
      const res = await t.http
        .patch(`/products/${product.id}`)
        .set(bearer(admin.token))
        .send({ name: 'Kurta, Reworked', description: null, category: null, images: [] })
        .expect(200);
      expect(res.body).toMatchObject({ name: 'Kurta, Reworked', description: null, category: null, images: [], slug: product.slug });
      const entry = await t.prisma.auditLog.findFirstOrThrow({ where: { entityId: product.id, action: 'product.updated' } });
      expect(entry).toMatchObject({
        actorId: admin.id,
        before: { name: product.name, description: product.description, category: product.category, images: product.images },
        after: { name: 'Kurta, Reworked', description: null, category: null, images: [] },
      });

      await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ name: 'Kurta, Reworked' }).expect(200);
      expect(await t.prisma.auditLog.count({ where: { entityId: product.id, action: 'product.updated' } })).toBe(1);
    });

    it('refuses empty and null-for-required patches', async () => {
      const product = await createProduct();
      const empty = await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({}).expect(400);
      expect(empty.body.message).toMatch(/Nothing to update/);
      const nulls = await t.http.patch(`/products/${product.id}`).set(bearer(admin.token)).send({ name: null, status: 'GONE' }).expect(400);
      expect(nulls.body.details.map((d: any) => d.field).sort()).toEqual(['name', 'status']);
      expect((await t.prisma.product.findUniqueOrThrow({ where: { id: product.id } })).name).toBe(product.name);
    });

    it('adds a variant after the others, with opening stock', async () => {
      const product = await createProduct();
      const sku = `K-${tag()}-XL`;
      const res = await t.http
        .post(`/products/${product.id}/variants`)
        .set(bearer(admin.token))
        .send({
          sku,
          name: 'Size XL',
          attributes: { size: 'XL' },
          priceMinor: 209900,
          currency: 'INR',
          initialStock: 4,
          lowStockThreshold: 2,
        })
        .expect(201);
      expect(res.body).toMatchObject({
        productId: product.id,
        sku,
        position: 3,
        onHand: 4,
        reserved: 0,
        available: 4,
        lowStockThreshold: 2,
        active: true,
      });
      const pub = await t.http.get(`/products/${product.slug}`).expect(200);
      expect(pub.body.variants.map((v: any) => v.sku)).toEqual([...product.variants.map((v: any) => v.sku), sku]);
      expect(await ledgerViolations(t.prisma, [res.body.id])).toEqual([]);
      expect(
        await t.prisma.auditLog.findFirst({ where: { entityType: 'variant', entityId: res.body.id, action: 'variant.created' } }),
      ).not.toBeNull();

      await t.http
        .post(`/products/${product.id}/variants`)
        .set(bearer(admin.token))
        .send({ sku, name: 'Again', priceMinor: 1, currency: 'INR' })
        .expect(409);
      await t.http
        .post(`/products/${randomUUID()}/variants`)
        .set(bearer(admin.token))
        .send({ sku: `K-${tag()}`, name: 'Orphan', priceMinor: 1, currency: 'INR' })
        .expect(404);
    });

    it('edits a variant price and SKU with an audit entry, keeping its stock', async () => {
      const product = await createProduct();
      const variant = product.variants[0];
      const newSku = `K-${tag()}-RENAMED`;
      const res = await t.http
        .patch(`/variants/${variant.id}`)
        .set(bearer(admin.token))
        .send({ priceMinor: 149900, sku: newSku, lowStockThreshold: 7 })
        .expect(200);
      expect(res.body).toMatchObject({ id: variant.id, sku: newSku, priceMinor: 149900, lowStockThreshold: 7, onHand: 12, available: 12 });
      const entry = await t.prisma.auditLog.findFirstOrThrow({
        where: { entityType: 'variant', entityId: variant.id, action: 'variant.updated' },
      });
      expect(entry).toMatchObject({
        before: { priceMinor: 189900, sku: variant.sku, lowStockThreshold: 3 },
        after: { priceMinor: 149900, sku: newSku, lowStockThreshold: 7 },
      });
      await t.http.patch(`/variants/${variant.id}`).set(bearer(admin.token)).send({ sku: product.variants[1].sku }).expect(409);
      await t.http.patch(`/variants/${randomUUID()}`).set(bearer(admin.token)).send({ priceMinor: 1 }).expect(404);
      const bad = await t.http.patch(`/variants/${variant.id}`).set(bearer(admin.token)).send({ priceMinor: 1.5, onHand: 3 }).expect(400);
      expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(['onHand', 'priceMinor']);
    });
  });

  it('documents every catalogue route in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/products', '/products/{id}', '/products/{id}/variants', '/variants/{id}']),
    );
    expect(doc.paths['/products'].post.responses['201']).toBeDefined();
    expect(doc.components.schemas.CreateVariantDto.properties.priceMinor).toBeDefined();
  });
});
