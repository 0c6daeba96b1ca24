import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createProductWithStock } from '../support/fixtures.js';
import { checkerPool } from '../support/database.js';
import { stockAndOrderProblems } from '../support/invariants.js';
import { call, pooled, tally, type Outcome } from '../support/load.js';
import { scaled } from '../support/scale.js';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/isolated-app.js';
import { BrandsService } from '../../src/brands/brands.service.js';
import { BrandContext } from '../../src/common/context/brand-context.js';

const IN_FLIGHT = 150;
const STOCK = 25;

const isSoldOutAnswer = (o: Outcome) => o.status === 409 && Array.isArray(o.body?.details?.lines) && o.body.details.lines.length > 0;
const isShed = (o: Outcome) => o.status === 503 && /retry/.test(String(o.body?.message));

/**
 * Platform mode: two brands' drops at the same moment, each a storm of cash-on-delivery checkouts for one hot variant
 * with the same SKU, interleaved request by request. Each brand sells exactly its stock, to its own orders, and the
 * other brand's storm changes nothing of its count.
 */
describe('two brands, two checkout storms at once', () => {
  let isolated: IsolatedTestApp;
  let baseUrl: string;
  let db: pg.Pool;

  beforeAll(async () => {
    isolated = await startIsolatedTestApp({ PLATFORM_MODE: 'true' });
    await isolated.t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(isolated.t.app.getHttpServer().address() as AddressInfo).port}`;
    db = checkerPool();
  });

  afterAll(async () => {
    await db?.end();
    await isolated?.close();
  });

  it('sells exactly each brand’s stock, to that brand, with both storms running together', async () => {
    const { t } = isolated;
    const sku = `DROP-${randomUUID().slice(0, 6)}`;
    const brands = await Promise.all(
      ['north', 'south'].map(async (name) => {
        const slug = `${name}-${randomUUID().slice(0, 6)}`;
        const brand = await t.app.get(BrandsService).create({ slug, name });
        const variantId = await BrandContext.run(brand.id, async () => {
          const product = await createProductWithStock(t.prisma, [{ stock: STOCK }]);
          await t.prisma.variant.update({ where: { id: product.variants[0].id }, data: { sku } });
          return product.variants[0].id;
        });
        return { id: brand.id, slug, variantId };
      }),
    );
    const perBrand = scaled(1_000);
    // Request i goes to brand i % 2: the two storms are interleaved from the first request to the last.
    const outcomes = await pooled(perBrand * 2, IN_FLIGHT, (i) => {
      const brand = brands[i % 2];
      return call(baseUrl, 'POST', `/b/${brand.slug}/orders/checkout`, {
        body: {
          items: [{ variantId: brand.variantId, quantity: 1 }],
          contact: { name: `Shopper ${i}`, email: `shopper-${i}@example.com`, phone: '+919800000005' },
          shippingAddress: { line1: `${i} Drop Street`, city: 'Pune', postalCode: '411001', country: 'IN' },
          paymentMethod: 'cod',
        },
      });
    });

    for (const [b, brand] of brands.entries()) {
      const mine = outcomes.filter((_o, i) => i % 2 === b);
      const created = mine.filter((o) => o.status === 201);
      const refused = mine.filter((o) => isSoldOutAnswer(o) || isShed(o)).length;
      expect({ brand: brand.slug, counts: tally(mine), created: created.length, refused }).toEqual({
        brand: brand.slug,
        counts: tally(mine),
        created: STOCK,
        refused: perBrand - STOCK,
      });
      // The superuser's view (no row-level security): the orders are this brand's, numbered from its own sequence —
      // each brand's starts at OL-000001 (one sequence for both would give only one of them that number), no number
      // twice. Not without gaps: a checkout takes its number before its turn, and one that then finds the last unit
      // gone leaves its number unused.
      const orders = await db.query<{ brand_id: string; number: string }>(
        `SELECT o.brand_id::text, o.number FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.variant_id = $1 ORDER BY o.number`,
        [brand.variantId],
      );
      expect(orders.rows.map((row) => row.brand_id)).toEqual(Array.from({ length: STOCK }, () => brand.id));
      const numbers = orders.rows.map((row) => row.number);
      expect(numbers[0]).toBe('OL-000001');
      expect(new Set(numbers).size).toBe(STOCK);
      const level = await db.query(`SELECT on_hand, reserved FROM inventory_levels WHERE variant_id = $1`, [brand.variantId]);
      expect(level.rows[0]).toEqual({ on_hand: 0, reserved: 0 });
      expect(
        await stockAndOrderProblems(
          db,
          created.map((o) => o.body.order.id as string),
          [brand.variantId],
        ),
      ).toEqual([]);
    }
  });
});
