import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { startTestApp, registerCustomer, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { ledgerViolations, inventoryLevel } from './support/fixtures.js';
import { StockLedger } from '../src/inventory/stock-ledger.js';
import { TransactionConflictError } from '../src/common/errors/domain-errors.js';

const tag = () => randomUUID().slice(0, 8);

interface VariantSpec {
  stock: number;
  lowStockThreshold?: number;
}

describe('inventory', () => {
  let t: TestApp;
  let ledger: StockLedger;
  let admin: { token: string; id: string };

  beforeAll(async () => {
    t = await startTestApp();
    ledger = t.app.get(StockLedger);
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A product made through the API, so its stock has the ledger rows the invariant needs. */
  async function createProduct(specs: VariantSpec[]): Promise<{ id: string; variantIds: string[] }> {
    const t8 = tag();
    const res = await t.http
      .post('/products')
      .set(bearer(admin.token))
      .send({
        name: `Stock Test ${t8}`,
        variants: specs.map((s, i) => ({
          sku: `ST-${t8}-${i}`,
          name: `V${i}`,
          priceMinor: 5000,
          currency: 'INR',
          initialStock: s.stock,
          lowStockThreshold: s.lowStockThreshold,
        })),
      })
      .expect(201);
    return { id: res.body.id, variantIds: res.body.variants.map((v: { id: string }) => v.id) };
  }

  /** What checkout does: lock, check availability, reserve — here straight through the ledger. */
  const reserve = (variantId: string, quantity: number) =>
    t.prisma.serializable(async (tx) => {
      const level = (await ledger.lock(tx, [variantId])).get(variantId)!;
      if (level.onHand - level.reserved < quantity) return false;
      await ledger.apply(tx, [{ variantId, kind: 'RESERVATION', onHandDelta: 0, reservedDelta: quantity, reason: 'test reservation' }]);
      return true;
    });

  const adjust = (variantId: string, body: object) => t.http.patch(`/inventory/${variantId}`).set(bearer(admin.token)).send(body);

  it('shows on hand, reserved and available per variant', async () => {
    const {
      id,
      variantIds: [v],
    } = await createProduct([{ stock: 10, lowStockThreshold: 5 }]);
    expect(await reserve(v, 3)).toBe(true);
    const res = await t.http.get(`/inventory/${v}`).set(bearer(admin.token)).expect(200);
    expect(res.body).toMatchObject({
      variantId: v,
      productId: id,
      onHand: 10,
      reserved: 3,
      available: 7,
      lowStockThreshold: 5,
      lowStock: false,
      productStatus: 'ACTIVE',
      variantActive: true,
    });
    await t.http.get(`/inventory/${randomUUID()}`).set(bearer(admin.token)).expect(404);
    await t.http.get('/inventory/not-a-uuid').set(bearer(admin.token)).expect(400);
  });

  it('is for admins only', async () => {
    const {
      variantIds: [v],
    } = await createProduct([{ stock: 1 }]);
    const customer = await registerCustomer(t);
    await t.http.get('/inventory').expect(401);
    await t.http.get('/inventory').set(bearer(customer.token)).expect(403);
    await t.http.patch(`/inventory/${v}`).set(bearer(customer.token)).send({ delta: 5, reason: 'nope' }).expect(403);
    await t.http.get(`/inventory/${v}/movements`).set(bearer(customer.token)).expect(403);
    expect((await inventoryLevel(t.prisma, v)).onHand).toBe(1);
  });

  it('applies a signed delta or an absolute count with a reason, as a movement and an audit entry', async () => {
    const {
      variantIds: [v],
    } = await createProduct([{ stock: 10 }]);
    const added = await adjust(v, { delta: 5, reason: 'Supplier delivery #77' }).expect(200);
    expect(added.body).toMatchObject({ onHand: 15, reserved: 0, available: 15 });
    const removed = await adjust(v, { delta: -2, reason: '  Damaged in storage  ' }).expect(200);
    expect(removed.body.onHand).toBe(13);
    const counted = await adjust(v, { onHand: 9, reason: 'Stock take' }).expect(200);
    expect(counted.body.onHand).toBe(9);

    const movements = await t.prisma.stockMovement.findMany({ where: { variantId: v }, orderBy: { id: 'asc' } });
    expect(movements.map((m) => [m.kind, m.onHandDelta, m.reservedDelta, m.reason, m.actorId])).toEqual([
      ['ADJUSTMENT', 10, 0, 'initial stock', admin.id],
      ['ADJUSTMENT', 5, 0, 'Supplier delivery #77', admin.id],
      ['ADJUSTMENT', -2, 0, 'Damaged in storage', admin.id],
      ['ADJUSTMENT', -4, 0, 'Stock take', admin.id],
    ]);
    const audit = await t.prisma.auditLog.findMany({
      where: { entityType: 'variant', entityId: v, action: 'inventory.adjusted' },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => [a.actorId, a.before, a.after])).toEqual([
      [admin.id, { onHand: 10, reserved: 0 }, { onHand: 15, reserved: 0, delta: 5, reason: 'Supplier delivery #77' }],
      [admin.id, { onHand: 15, reserved: 0 }, { onHand: 13, reserved: 0, delta: -2, reason: 'Damaged in storage' }],
      [admin.id, { onHand: 13, reserved: 0 }, { onHand: 9, reserved: 0, delta: -4, reason: 'Stock take' }],
    ]);

    // Setting the count it already has changes nothing and records nothing.
    await adjust(v, { onHand: 9, reason: 'Recount' }).expect(200);
    expect(await t.prisma.stockMovement.count({ where: { variantId: v } })).toBe(4);
    expect(await ledgerViolations(t.prisma, [v])).toEqual([]);
  });

  it('requires a reason and exactly one of onHand or delta', async () => {
    const {
      variantIds: [v],
    } = await createProduct([{ stock: 10 }]);
    const cases: [object, string[]][] = [
      [{ delta: 5 }, ['reason']],
      [{ delta: 5, reason: '   ' }, ['reason']],
      [{ reason: 'nothing' }, ['delta', 'onHand']],
      [{ onHand: 3, delta: 1, reason: 'both' }, ['delta', 'onHand']],
      [{ delta: 0, reason: 'zero' }, ['delta']],
      [{ onHand: -1, reason: 'negative count' }, ['onHand']],
      [{ delta: 1.5, reason: 'fraction' }, ['delta']],
      [{ delta: '3', reason: 'string' }, ['delta']],
    ];
    for (const [body, fields] of cases) {
      const res = await adjust(v, body).expect(400);
      expect([body, res.body.details.map((d: { field: string }) => d.field).sort()]).toEqual([body, fields]);
    }
    await adjust(randomUUID(), { delta: 1, reason: 'ghost' }).expect(404);
    expect((await inventoryLevel(t.prisma, v)).onHand).toBe(10);
    expect(await t.prisma.stockMovement.count({ where: { variantId: v } })).toBe(1);
  });

  it('refuses to take on hand below what is reserved, with 409 and no change', async () => {
    const {
      variantIds: [v],
    } = await createProduct([{ stock: 10 }]);
    expect(await reserve(v, 8)).toBe(true);
    const below = await adjust(v, { onHand: 5, reason: 'Stock take' }).expect(409);
    expect(below.body).toMatchObject({
      statusCode: 409,
      error: 'Conflict',
      message: 'Cannot set on hand to 5: 8 unit(s) are reserved for open orders, so on hand cannot go below 8',
      details: { onHand: 10, reserved: 8, requestedOnHand: 5 },
    });
    await adjust(v, { delta: -3, reason: 'Damaged' }).expect(409);
    const negative = await adjust(v, { delta: -11, reason: 'Lost' }).expect(409);
    expect(negative.body.message).toBe('Cannot remove 11 unit(s): only 10 on hand');
    expect(await inventoryLevel(t.prisma, v)).toMatchObject({ onHand: 10, reserved: 8 });
    expect(await t.prisma.stockMovement.count({ where: { variantId: v, kind: 'ADJUSTMENT' } })).toBe(1);
    expect(await t.prisma.auditLog.count({ where: { entityId: v, action: 'inventory.adjusted' } })).toBe(0);

    const exact = await adjust(v, { delta: -2, reason: 'Damaged' }).expect(200);
    expect(exact.body).toMatchObject({ onHand: 8, reserved: 8, available: 0 });
  });

  it('pages through the movements of a variant, newest first', async () => {
    const {
      variantIds: [v],
    } = await createProduct([{ stock: 10 }]);
    for (let i = 1; i <= 5; i++) await adjust(v, { delta: 1, reason: `delivery ${i}` }).expect(200);
    const reasons: (string | null)[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const res = await t.http
        .get(`/inventory/${v}/movements`)
        .query({ limit: 2, ...(cursor && { before: cursor }) })
        .set(bearer(admin.token))
        .expect(200);
      reasons.push(...res.body.items.map((m: { reason: string | null }) => m.reason));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(reasons).toEqual(['delivery 5', 'delivery 4', 'delivery 3', 'delivery 2', 'delivery 1', 'initial stock']);
    expect(pages).toBe(4);
    const first = await t.http.get(`/inventory/${v}/movements`).set(bearer(admin.token)).expect(200);
    expect(first.body.items[0]).toMatchObject({
      kind: 'ADJUSTMENT',
      onHandDelta: 1,
      reservedDelta: 0,
      orderId: null,
      actorId: admin.id,
      id: expect.stringMatching(/^\d+$/),
    });
    await t.http.get(`/inventory/${randomUUID()}/movements`).set(bearer(admin.token)).expect(404);
    await t.http.get(`/inventory/${v}/movements`).query({ before: 'abc' }).set(bearer(admin.token)).expect(400);
  });

  it("filters low stock by each variant's threshold, counting reservations, ignoring inactive and archived", async () => {
    const {
      id,
      variantIds: [low, fine, atThreshold, reservedDown, inactive],
    } = await createProduct([
      { stock: 2, lowStockThreshold: 5 },
      { stock: 10, lowStockThreshold: 5 },
      { stock: 5, lowStockThreshold: 5 },
      { stock: 8, lowStockThreshold: 5 },
      { stock: 0, lowStockThreshold: 5 },
    ]);
    expect(await reserve(reservedDown, 4)).toBe(true);
    await t.http.patch(`/variants/${inactive}`).set(bearer(admin.token)).send({ active: false }).expect(200);

    const lowList = await t.http.get('/inventory').query({ productId: id, lowStock: true }).set(bearer(admin.token)).expect(200);
    expect(lowList.body.items.map((i: { variantId: string }) => i.variantId)).toEqual([low, atThreshold, reservedDown]);
    expect(lowList.body.total).toBe(3);
    const all = await t.http.get('/inventory').query({ productId: id }).set(bearer(admin.token)).expect(200);
    expect(all.body.items.map((i: { variantId: string; lowStock: boolean }) => [i.variantId, i.lowStock])).toEqual([
      [low, true],
      [fine, false],
      [atThreshold, true],
      [reservedDown, true],
      [inactive, true],
    ]);

    const archived = await createProduct([{ stock: 0 }]);
    await t.http.delete(`/products/${archived.id}`).set(bearer(admin.token)).expect(200);
    expect(
      (await t.http.get('/inventory').query({ productId: archived.id, lowStock: true }).set(bearer(admin.token)).expect(200)).body.total,
    ).toBe(0);

    const paged = await t.http.get('/inventory').query({ productId: id, limit: 2, page: 3 }).set(bearer(admin.token)).expect(200);
    expect(paged.body).toMatchObject({ total: 5, totalPages: 3, page: 3, items: [{ variantId: inactive }] });
    const bySku = await t.http.get('/inventory').query({ q: all.body.items[1].sku.toLowerCase() }).set(bearer(admin.token)).expect(200);
    expect(bySku.body.items.map((i: { variantId: string }) => i.variantId)).toEqual([fine]);
    await t.http.get('/inventory').query({ lowStock: 'yes' }).set(bearer(admin.token)).expect(400);
  });

  it('documents every inventory route in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/inventory', '/inventory/{variantId}', '/inventory/{variantId}/movements']),
    );
    expect(doc.paths['/inventory/{variantId}'].patch.responses['409']).toBeDefined();
    expect(doc.components.schemas.AdjustInventoryDto.required).toEqual(['reason']);
  });

  it('keeps the ledger invariant under a few hundred concurrent random adjustments and reservations', async () => {
    const VARIANTS = 6;
    const { variantIds } = await createProduct(Array.from({ length: VARIANTS }, () => ({ stock: 40 })));
    type Op = { kind: 'delta' | 'set' | 'reserve' | 'release' | 'sell'; variant: number; amount: number };
    const variant = fc.nat(VARIANTS - 1);
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('delta' as const), variant, amount: fc.integer({ min: -8, max: 8 }).filter((n) => n !== 0) }),
      fc.record({ kind: fc.constant('set' as const), variant, amount: fc.integer({ min: 0, max: 50 }) }),
      fc.record({
        kind: fc.constantFrom('reserve' as const, 'release' as const, 'sell' as const),
        variant,
        amount: fc.integer({ min: 1, max: 6 }),
      }),
    );
    const ops = fc.sample(opArb, { numRuns: 300, seed: 20261126 });

    /** Reservation-side operations as checkout, expiry and capture do them: lock, check, move through the ledger. */
    const direct = (op: Op) =>
      t.prisma.serializable(async (tx) => {
        const variantId = variantIds[op.variant];
        const lvl = (await ledger.lock(tx, [variantId])).get(variantId)!;
        if (op.kind === 'reserve' && lvl.onHand - lvl.reserved < op.amount) return false;
        if (op.kind !== 'reserve' && lvl.reserved < op.amount) return false;
        const move =
          op.kind === 'reserve'
            ? { kind: 'RESERVATION' as const, onHandDelta: 0, reservedDelta: op.amount }
            : op.kind === 'release'
              ? { kind: 'RELEASE' as const, onHandDelta: 0, reservedDelta: -op.amount }
              : { kind: 'SALE' as const, onHandDelta: -op.amount, reservedDelta: -op.amount };
        await ledger.apply(tx, [{ variantId, ...move, reason: `concurrency ${op.kind}` }]);
        return true;
      });

    // applied; refused (not enough stock or reserved: 409 / false); or gave up after every retry under contention
    // (TransactionConflictError, 409 to clients) — all legitimate, as long as nothing half-happened.
    type Outcome = 'applied' | 'refused' | 'conflict';
    const outcomes: { op: Op; outcome: Outcome }[] = [];
    const run = async (op: Op): Promise<Outcome> => {
      if (op.kind === 'delta' || op.kind === 'set') {
        const body =
          op.kind === 'delta' ? { delta: op.amount, reason: 'concurrency delta' } : { onHand: op.amount, reason: 'concurrency set' };
        const res = await adjust(variantIds[op.variant], body);
        if (res.status === 200) return 'applied';
        expect(res.status).toBe(409);
        return /conflicted with concurrent updates/.test(res.body.message) ? 'conflict' : 'refused';
      }
      try {
        return (await direct(op)) ? 'applied' : 'refused';
      } catch (error) {
        if (error instanceof TransactionConflictError) return 'conflict';
        throw error;
      }
    };
    // 10 workers drain the queue, so operations on the same variants overlap all the time.
    const queue = [...ops];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let op = queue.shift(); op; op = queue.shift()) outcomes.push({ op, outcome: await run(op) });
      }),
    );

    expect(outcomes).toHaveLength(300);
    expect(await ledgerViolations(t.prisma, variantIds)).toEqual([]);

    // Nothing was lost: every applied delta and reservation-side move left exactly one movement.
    const applied = (kind: Op['kind']) => outcomes.filter((o) => o.op.kind === kind && o.outcome === 'applied');
    const count = (reason: string) => t.prisma.stockMovement.count({ where: { variantId: { in: variantIds }, reason } });
    expect(await count('concurrency delta')).toBe(applied('delta').length);
    for (const kind of ['reserve', 'release', 'sell'] as const) {
      expect(applied(kind).length).toBeGreaterThan(0);
      expect(await count(`concurrency ${kind}`)).toBe(applied(kind).length);
    }
    const levels = await t.prisma.inventoryLevel.findMany({ where: { variantId: { in: variantIds } } });
    for (const lvl of levels) expect(lvl.reserved).toBeLessThanOrEqual(lvl.onHand);
    const units = (kind: Op['kind']) => applied(kind).reduce((sum, o) => sum + o.op.amount, 0);
    expect(levels.reduce((sum, l) => sum + l.reserved, 0)).toBe(units('reserve') - units('release') - units('sell'));
  });
});
