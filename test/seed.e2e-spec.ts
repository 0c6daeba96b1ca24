import type { TestApp } from './support/test-app.js';
import { createScratchDatabase, type ScratchDatabase } from './setup/test-database.js';
import { ledgerViolations } from './support/fixtures.js';
import { DEMO_CATALOGUE } from '../src/seed/demo-catalogue.js';

/**
 * The seed only runs on an empty database, and the shared test database never is: this file gets its own. The app is
 * imported after DATABASE_URL points there, because the configuration is read when the app module loads.
 */
describe('first-start seed', () => {
  let db: ScratchDatabase;
  let t: TestApp;
  let seedIfEmpty: typeof import('../src/seed/seed.js').seedIfEmpty;
  const saved = { url: process.env.DATABASE_URL, password: process.env.ADMIN_PASSWORD, email: process.env.ADMIN_EMAIL };

  beforeAll(async () => {
    db = await createScratchDatabase('orderline_seed');
    Object.assign(process.env, { DATABASE_URL: db.url, ADMIN_PASSWORD: 'seeded-admin-pass', ADMIN_EMAIL: 'Owner@Example.com' });
    const { startTestApp } = await import('./support/test-app.js');
    ({ seedIfEmpty } = await import('../src/seed/seed.js'));
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    for (const [key, value] of [
      ['DATABASE_URL', saved.url],
      ['ADMIN_PASSWORD', saved.password],
      ['ADMIN_EMAIL', saved.email],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('creates the admin and the demo catalogue once, through the catalogue service, even when started twice at once', async () => {
    const logs: string[] = [];
    await Promise.all([seedIfEmpty(t.app, (m) => logs.push(m)), seedIfEmpty(t.app, (m) => logs.push(m))]);
    expect(logs).toEqual(['Created admin owner@example.com with ADMIN_PASSWORD', `Seeded ${DEMO_CATALOGUE.length} demo products`]);
    await seedIfEmpty(t.app, (m) => logs.push(m));
    expect(logs).toHaveLength(2);

    await t.http.post('/auth/login').send({ email: 'owner@example.com', password: 'seeded-admin-pass' }).expect(200);

    const page = await t.http.get('/products').query({ limit: 10 }).expect(200);
    expect(page.body.total).toBe(DEMO_CATALOGUE.length);
    for (const demo of DEMO_CATALOGUE) {
      const product = (await t.http.get(`/products/${demo.slug}`).expect(200)).body;
      expect(product).toMatchObject({
        name: demo.name,
        category: demo.category,
        description: demo.description,
        images: demo.images,
        purchasable: true,
      });
      // Variants keep the catalogue's order (sizes S, M, L, XL) and their stock.
      expect(product.variants.map((v: any) => [v.sku, v.priceMinor, v.currency, v.available, v.attributes])).toEqual(
        demo.variants.map((v) => [v.sku, v.priceMinor, v.currency, v.stock, v.attributes]),
      );
    }

    const movements = await t.prisma.stockMovement.findMany();
    expect(movements).toHaveLength(DEMO_CATALOGUE.reduce((n, p) => n + p.variants.length, 0));
    expect(movements.every((m) => m.kind === 'ADJUSTMENT' && m.reason === 'demo seed' && m.actorId === 'system')).toBe(true);
    expect(await ledgerViolations(t.prisma)).toEqual([]);

    const audit = await t.prisma.auditLog.findMany({ where: { action: 'product.created' } });
    expect(audit).toHaveLength(DEMO_CATALOGUE.length);
    expect(audit.every((a) => a.actorType === 'SYSTEM' && a.actorId === 'system')).toBe(true);
  });
});
