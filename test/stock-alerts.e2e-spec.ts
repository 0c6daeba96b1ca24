import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import { checkoutBody } from './support/checkout.js';

const INVENTORY_EVENTS = ['inventory.low_stock', 'inventory.out_of_stock', 'inventory.back_in_stock'];

/**
 * Stock announcements with hysteresis, on a database of its own (a webhook endpoint here hears every variant). The
 * events are read from the outbox, where the stock change itself wrote them.
 */
describe.each([
  { margin: 2, name: 'LOW_STOCK_MARGIN=2 (default)' },
  { margin: 0, name: 'LOW_STOCK_MARGIN=0' },
])('stock alerts with $name', ({ margin }) => {
  let isolated: IsolatedTestApp;
  let support: typeof import('./support/test-app.js');
  let auth: Record<string, string>;

  beforeAll(async () => {
    isolated = await startIsolatedTestApp({ LOW_STOCK_MARGIN: String(margin) });
    support = await import('./support/test-app.js');
    auth = support.bearer((await support.createAdmin(isolated.t)).token);
    await isolated.t.http
      .post('/admin/webhook-endpoints')
      .set(auth)
      .send({ url: 'https://hooks.example.com/stock', events: INVENTORY_EVENTS })
      .expect(201);
  });
  afterAll(async () => {
    await isolated?.close();
  });

  async function createVariant(stock: number, lowStockThreshold = 5): Promise<string> {
    const t8 = randomUUID().slice(0, 8);
    const res = await isolated.t.http
      .post('/products')
      .set(auth)
      .send({
        name: `Alert ${t8}`,
        variants: [{ sku: `AL-${t8}`, name: 'One', priceMinor: 5000, currency: 'INR', initialStock: stock, lowStockThreshold }],
      })
      .expect(201);
    return res.body.variants[0].id;
  }

  /** Moves available stock through each of `levels` in turn with admin adjustments. */
  async function walk(variantId: string, levels: number[]): Promise<void> {
    for (const onHand of levels)
      await isolated.t.http.patch(`/inventory/${variantId}`).set(auth).send({ onHand, reason: 'count' }).expect(200);
  }

  const announced = async (variantId: string) =>
    (
      await isolated.t.prisma.outboxMessage.findMany({ where: { aggregateId: variantId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
    ).map((m) => [m.event, (m.payload as { available: number }).available]);

  it('announces low stock once per fall to the threshold, and again only after a rise above threshold + margin', async () => {
    const v = await createVariant(10);
    expect(await announced(v)).toEqual([]); // opening stock announces nothing
    await walk(v, [5, 6, 5, 7, 4, 5, 3]);
    if (margin === 2) {
      expect(await announced(v)).toEqual([['inventory.low_stock', 5]]);
      await walk(v, [8, 5]); // above 5 + 2: armed again
      expect(await announced(v)).toEqual([
        ['inventory.low_stock', 5],
        ['inventory.low_stock', 5],
      ]);
    } else {
      // Without a margin every fall across the threshold counts.
      expect(await announced(v)).toEqual([
        ['inventory.low_stock', 5],
        ['inventory.low_stock', 5],
        ['inventory.low_stock', 4],
      ]);
    }
  });

  it('announces out of stock once, and back in stock as an event of its own once stock is above the margin', async () => {
    const v = await createVariant(10);
    await walk(v, [0, 1, 0, 2, 0, 3, 2, 12, 0]);
    const expected: (string | number)[][] =
      margin === 2
        ? [
            ['inventory.out_of_stock', 0],
            ['inventory.back_in_stock', 3],
            ['inventory.out_of_stock', 0],
          ]
        : [
            ['inventory.out_of_stock', 0],
            ['inventory.back_in_stock', 1],
            ['inventory.out_of_stock', 0],
            ['inventory.back_in_stock', 2],
            ['inventory.out_of_stock', 0],
            ['inventory.back_in_stock', 3],
            ['inventory.out_of_stock', 0],
          ];
    expect(await announced(v)).toEqual(expected);
  });

  it('counts reservations: checkouts and expiring holds move the same alerts', async () => {
    const v = await createVariant(8);
    const sold = [];
    for (let i = 0; i < 4; i++)
      sold.push(
        (
          await isolated.t.http
            .post('/orders/checkout')
            .send(checkoutBody([{ variantId: v, quantity: 2 }], { paymentMethod: 'stripe' }))
            .expect(201)
        ).body.order.id,
      );
    // 8 → 6 → 4 (low) → 2 → 0 (out), all of it reserved.
    expect(await announced(v)).toEqual([
      ['inventory.low_stock', 4],
      ['inventory.out_of_stock', 0],
    ]);
    for (const id of sold.slice(0, 2)) await isolated.t.http.post(`/orders/${id}/cancel`).set(auth).send({ reason: 'test' }).expect(200);
    // 0 → 2 (not above the margin of 2) → 4: back in stock once with margin 2; with margin 0 at the first release.
    expect(await announced(v)).toEqual(
      margin === 2
        ? [
            ['inventory.low_stock', 4],
            ['inventory.out_of_stock', 0],
            ['inventory.back_in_stock', 4],
          ]
        : [
            ['inventory.low_stock', 4],
            ['inventory.out_of_stock', 0],
            ['inventory.back_in_stock', 2],
          ],
    );
  });
});
