import type { AddressInfo } from 'node:net';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock, ledgerViolations, inventoryLevel } from './support/fixtures.js';
import { checkoutBody, type CheckoutLine } from './support/checkout.js';

interface Reply {
  status: number;
  body: any;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing storm can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Hundreds of customers pressing "Buy" at the same moment, over real HTTP connections to two instances of the app on
 * one database (alternating), so both guards are at work: within an instance checkouts of a variant take turns, and
 * between instances the row locks and Serializable retries keep them apart. Exactly the stock there is gets sold,
 * everyone else hears "sold out", and no request fails in any other way. The file has its own database, so no other
 * file's jobs touch its stock.
 */
describe('checkout under a storm of concurrent buyers', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let second: TestApp;
  let baseUrls: string[];
  beforeAll(async () => {
    isolated = await startIsolatedTestApp({ DB_POOL_SIZE: '15' });
    t = isolated.t;
    second = await (await import('./support/test-app.js')).startTestApp();
    baseUrls = [];
    for (const app of [t, second]) {
      await app.app.listen(0, '127.0.0.1');
      baseUrls.push(`http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`);
    }
  });
  afterAll(async () => {
    await second?.close();
    await isolated?.close();
  });

  let sent = 0;
  const checkout = async (body: unknown): Promise<Reply> => {
    const res = await fetch(`${baseUrls[sent++ % 2]}/orders/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

  it('sells exactly the 10 units in stock to 10 of 220 simultaneous buyers; the other 210 get 409 sold out', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 10 }]);
    const variantId = product.variants[0].id;
    const bodies = Array.from({ length: 220 }, (_, i) =>
      checkoutBody([{ variantId, quantity: 1 }], { paymentMethod: i % 4 < 2 ? 'stripe' : 'cod' }),
    );
    const replies = await Promise.all(bodies.map(checkout));

    const won = replies.filter((r) => r.status === 201);
    const lost = replies.filter((r) => r.status === 409);
    expect(replies.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
    expect(won).toHaveLength(10);
    expect(lost).toHaveLength(210);
    for (const r of lost) {
      expect(r.body.message).toMatch(/^Sold out/);
      expect(r.body.details.lines).toEqual([{ variantId, sku: product.variants[0].sku, requested: 1, available: 0 }]);
    }

    const cod = won.filter((r) => r.body.order.paymentMethod === 'COD').length;
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 10 - cod, reserved: 10 - cod });
    const orders = await t.prisma.order.findMany({ where: { items: { some: { variantId } } }, select: { id: true } });
    expect(orders.map((o) => o.id).sort()).toEqual(won.map((r) => r.body.order.id).sort());
    expect(await t.prisma.stockMovement.count({ where: { variantId, kind: 'RESERVATION' } })).toBe(10);
    expect(await t.prisma.stockMovement.count({ where: { variantId, kind: 'SALE' } })).toBe(cod);
    expect(await ledgerViolations(t.prisma, [variantId])).toEqual([]);
  });

  it('never oversells multi-item orders over overlapping variants, with no deadlock or conflict reaching a client', async () => {
    const supply = [6, 8, 4, 10, 5];
    const product = await createProductWithStock(
      t.prisma,
      supply.map((stock) => ({ stock })),
    );
    const ids = product.variants.map((v) => v.id);
    const next = random(20261126);
    const carts: CheckoutLine[][] = Array.from({ length: 200 }, () => {
      const picked = [...ids].sort(() => next() - 0.5).slice(0, 2 + Math.floor(next() * 3));
      const lines = picked.map((variantId) => ({ variantId, quantity: 1 + Math.floor(next() * 2) }));
      if (next() < 0.1) lines.push({ ...lines[0], quantity: 1 }); // the same variant on two lines
      return lines;
    });
    const replies = await Promise.all(carts.map((items, i) => checkout(checkoutBody(items, { paymentMethod: i % 3 ? 'stripe' : 'cod' }))));

    expect(replies.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
    const won = replies.filter((r) => r.status === 201);
    const lost = replies.filter((r) => r.status === 409);
    expect(won.length).toBeGreaterThan(0);
    for (const r of lost) {
      expect(r.body.details.lines.length).toBeGreaterThan(0);
      for (const line of r.body.details.lines) expect(line.available).toBeLessThan(line.requested);
    }

    // What the winners hold is exactly what left the shelf, never more than there was.
    let soldOut = 0;
    for (const [i, variantId] of ids.entries()) {
      const taken = { cod: 0, prepaid: 0 };
      for (const r of won) {
        for (const item of r.body.order.items) {
          if (item.variantId === variantId) taken[r.body.order.paymentMethod === 'COD' ? 'cod' : 'prepaid'] += item.quantity;
        }
      }
      const now = await inventoryLevel(t.prisma, variantId);
      expect(now).toMatchObject({ onHand: supply[i] - taken.cod, reserved: taken.prepaid });
      expect(taken.cod + taken.prepaid).toBeLessThanOrEqual(supply[i]);
      if (taken.cod + taken.prepaid === supply[i]) soldOut++;
    }
    expect(soldOut).toBeGreaterThan(0);
    expect(await t.prisma.order.count({ where: { items: { some: { variantId: { in: ids } } } } })).toBe(won.length);
    expect(await ledgerViolations(t.prisma, ids)).toEqual([]);
  });
});
