import { startTestApp, createAdmin, registerCustomer, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2219bc00000000049454e44ae426082',
  'hex',
);

describe('product images (upload to storage, served from /media)', () => {
  let t: TestApp;
  let admin: { token: string; id: string };
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores an uploaded image, adds it to the product, serves it as an image only, and audits it', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 1 }]);
    const res = await t.http
      .post(`/products/${product.id}/images`)
      .set(bearer(admin.token))
      .set('Content-Type', 'image/png')
      .send(PNG)
      .expect(200);
    const url = res.body.images.at(-1) as string;
    expect(url).toMatch(/^\/media\/products\/[0-9a-f-]{36}\.png$/);
    const served = await t.http.get(url).expect(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toContain("default-src 'none'");
    expect(Buffer.compare(served.body as Buffer, PNG)).toBe(0);
    const audit = await t.prisma.auditLog.findFirstOrThrow({ where: { entityId: product.id, action: 'product.image_added' } });
    expect(audit.actorId).toBe(admin.id);
    // The public product shows it too, and a PATCH may keep it (same-site image paths are valid image URLs).
    const shown = await t.http.get(`/products/${product.id}`).expect(200);
    expect(shown.body.images).toContain(url);
    await t.http
      .patch(`/products/${product.id}`)
      .set(bearer(admin.token))
      .send({ images: [url, 'https://cdn.example.com/a.jpg'] })
      .expect(200);
  });

  it('refuses what is not an image (whatever the header says), SVG, other callers, and unknown products; serves nothing outside its keys', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 1 }]);
    const path = `/products/${product.id}/images`;
    const fake = await t.http
      .post(path)
      .set(bearer(admin.token))
      .set('Content-Type', 'image/png')
      .send(Buffer.from('<html>not an image</html>'))
      .expect(400);
    expect(fake.body.message).toBe('The file is not a JPEG, PNG, WebP or GIF image');
    await t.http
      .post(path)
      .set(bearer(admin.token))
      .set('Content-Type', 'image/svg+xml')
      .send('<svg xmlns="http://www.w3.org/2000/svg"/>')
      .expect(400);
    const customer = await registerCustomer(t);
    await t.http.post(path).set(bearer(customer.token)).set('Content-Type', 'image/png').send(PNG).expect(403);
    await t.http.post(path).set('Content-Type', 'image/png').send(PNG).expect(401);
    await t.http
      .post('/products/00000000-0000-4000-8000-000000000000/images')
      .set(bearer(admin.token))
      .set('Content-Type', 'image/png')
      .send(PNG)
      .expect(404);
    await t.http
      .post(path)
      .set(bearer(admin.token))
      .set('Content-Type', 'image/png')
      .send(Buffer.alloc(6 * 1024 * 1024, 1))
      .expect(413);
    expect((await t.prisma.product.findUniqueOrThrow({ where: { id: product.id } })).images).toEqual([]);

    await t.http.get('/media/products/..%2F..%2Fpackage.json').expect(404);
    await t.http.get('/media/products/00000000-0000-4000-8000-000000000000.png').expect(404);
    await t.http
      .patch(`/products/${product.id}`)
      .set(bearer(admin.token))
      .send({ images: ['/etc/passwd'] })
      .expect(400);
  });
});
