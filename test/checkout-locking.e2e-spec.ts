import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createProductWithStock, inventoryLevel, ledgerViolations } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { sleep } from './support/helpers.js';

/**
 * What the Serializable retries would otherwise hide: checkout really takes the inventory row lock (FOR UPDATE), and
 * it checks stock against what is available (on hand − reserved), answering 409, never a 500 from a CHECK constraint.
 */
describe('checkout stock lock and availability', () => {
  let t: TestApp;
  const clients: pg.Client[] = [];
  let observer: pg.Client | undefined;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await t.close();
  });

  const connect = async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    clients.push(client);
    return client;
  };

  /**
   * Waits until a backend of this database is blocked on a lock while running a statement matching `query`. (Asked
   * outside any transaction: inside one, pg_stat_activity would show the same snapshot every time.)
   */
  async function waitForBlocked(query: string): Promise<void> {
    const sql = (observer ??= await connect());
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(25)) {
      const { rows } = await sql.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1",
        [`%${query}%`],
      );
      if (rows.length) return;
    }
    throw new Error(`no statement like "${query}" was blocked on a lock`);
  }

  it("holds the inventory row FOR UPDATE inside its transaction: another connection's FOR UPDATE NOWAIT fails with 55P03", async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const variantId = product.variants[0].id;
    // Pause the checkout inside its transaction, after its stock lock: the order's items reference the variant, and
    // their foreign key check needs a share lock on the variant row, which this connection holds exclusively.
    const pauser = await connect();
    await pauser.query('BEGIN');
    await pauser.query('SELECT 1 FROM variants WHERE id = $1 FOR UPDATE', [variantId]);
    const placing = t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId, quantity: 2 }]))
      .then((r) => r);
    await waitForBlocked('INSERT INTO orders');

    const probe = await connect();
    await probe.query('BEGIN');
    const attempt = await probe.query('SELECT 1 FROM inventory_levels WHERE variant_id = $1 FOR UPDATE NOWAIT', [variantId]).then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    await probe.query('ROLLBACK');
    expect(attempt).toMatchObject({ code: '55P03' }); // lock_not_available: the checkout holds the row

    await pauser.query('ROLLBACK');
    expect((await placing).status).toBe(201);
    expect(await inventoryLevel(t.prisma, variantId)).toMatchObject({ onHand: 3, reserved: 0 });
  });

  it('answers 409 with the available count when 2 of 3 units are reserved and 2 more are asked for', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const variant = product.variants[0];
    await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: variant.id, quantity: 2 }], { paymentMethod: 'stripe' }))
      .expect(201);
    expect(await inventoryLevel(t.prisma, variant.id)).toMatchObject({ onHand: 3, reserved: 2 });

    const res = await t.http.post('/orders/checkout').send(checkoutBody([{ variantId: variant.id, quantity: 2 }]));
    expect(res.status).toBe(409);
    expect(res.body.details.lines).toEqual([{ variantId: variant.id, sku: variant.sku, requested: 2, available: 1 }]);
    expect(await inventoryLevel(t.prisma, variant.id)).toMatchObject({ onHand: 3, reserved: 2 });
    await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: variant.id, quantity: 1 }]))
      .expect(201);
    expect(await ledgerViolations(t.prisma, [variant.id])).toEqual([]);
  });

  it('checks the reservations made while it waited for the lock (the check under the lock, not only the early one)', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const variant = product.variants[0];
    // The early check sees 3 available; the reservation of 2 commits while the checkout waits for the row lock.
    const holder = await connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM inventory_levels WHERE variant_id = $1 FOR UPDATE', [variant.id]);
    const placing = t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: variant.id, quantity: 2 }]))
      .then((r) => r);
    await waitForBlocked('FROM inventory_levels');
    await holder.query('UPDATE inventory_levels SET reserved = reserved + 2 WHERE variant_id = $1', [variant.id]);
    await holder.query(
      "INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason) VALUES ($1, 'RESERVATION', 0, 2, 'another checkout')",
      [variant.id],
    );
    await holder.query('COMMIT');

    const res = await placing;
    expect(res.status).toBe(409);
    expect(res.body.details.lines).toEqual([{ variantId: variant.id, sku: variant.sku, requested: 2, available: 1 }]);
    expect(await inventoryLevel(t.prisma, variant.id)).toMatchObject({ onHand: 3, reserved: 2 });
  });
});
