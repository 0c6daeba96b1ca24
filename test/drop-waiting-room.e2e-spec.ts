import pg from 'pg';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { sleep } from './support/helpers.js';

type TestAppModule = typeof import('./support/test-app.js');

/** Lock waits in this test's own database (the server is shared with other files' databases). */
const WAITING_HERE = `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/**
 * The drop's door (src/drops/drop-admission.ts) in front of checkout: early taps hear the exact opening time, buyers
 * past what the waiting room runs at once wait in line and, if not reached in time, hear 429 with their place and
 * when to retry; a buyer whose units are all held by buyers ahead hears 409 at once. One checkout runs at a time here
 * (DROP_ADMISSION_CONCURRENCY=1), and it is held in PostgreSQL by a lock this test takes on the variant's stock row.
 */
describe('Drop waiting room', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let bearer: TestAppModule['bearer'];
  let admin: { token: string };
  let locker: pg.Client;
  beforeAll(async () => {
    isolated = await startIsolatedTestApp({
      DROP_ADMISSION_CONCURRENCY: '1',
      DROP_QUEUE_TIMEOUT_MS: '1500',
      DROP_RATE_LIMIT_PER_PHONE: '1000',
      DROP_RATE_LIMIT_PER_IP: '100000',
    });
    t = isolated.t;
    const testApp = await import('./support/test-app.js');
    bearer = testApp.bearer;
    admin = await testApp.createAdmin(t);
    locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await isolated?.close();
  });

  const createDrop = async (productId: string, startsAt: Date, options: { earlyAccessStartsAt?: Date; perCustomerLimit?: number } = {}) => {
    const res = await t.http
      .post('/admin/drops')
      .set(bearer(admin.token))
      .send({
        name: 'Door drop',
        startsAt: startsAt.toISOString(),
        earlyAccessStartsAt: options.earlyAccessStartsAt?.toISOString(),
        perCustomerLimit: options.perCustomerLimit,
        productIds: [productId],
      });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  /** Sends at once (a supertest request left un-awaited is never sent). */
  const tap = async (variantId: string, quantity = 1, overrides: Record<string, unknown> = {}) =>
    await t.http.post('/orders/checkout').send(checkoutBody([{ variantId, quantity }], overrides));
  /** Until the checkout this test holds with a lock on a stock row waits for it. */
  const untilLockWaited = async () => {
    for (let i = 0; i < 100 && (await locker.query(WAITING_HERE)).rows[0].n === 0; i++) await sleep(20);
  };

  it('answers early taps 409 with the exact opening time (and early access), without a checkout', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const startsAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_123);
    const earlyAccessStartsAt = new Date(startsAt.getTime() - 1_800_000);
    const drop = await createDrop(product.id, startsAt, { earlyAccessStartsAt });
    const early = await tap(product.variants[0].id);
    expect(early.status).toBe(409);
    expect(early.body.message).toContain(startsAt.toISOString());
    expect(early.body.details).toEqual({
      code: 'DROP_NOT_OPEN',
      dropId: drop.id,
      opensAt: startsAt.toISOString(),
      earlyAccessOpensAt: earlyAccessStartsAt.toISOString(),
    });
    expect(await t.prisma.order.count({ where: { items: { some: { variantId: product.variants[0].id } } } })).toBe(0);
  });

  it('holds buyers beyond the running checkout in line: 429 with place, wait and Retry-After, or 409 when the units are held ahead', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 1 }, { stock: 50 }]);
    const [scarce, plenty] = product.variants.map((v) => v.id);
    await createDrop(product.id, new Date(Date.now() - 1000));
    // The door learns the drop and its stock.
    expect((await tap(plenty)).status).toBe(201);

    // The first buyer's checkout is held by a lock on the stock row of `plenty`: it is the one running checkout.
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM inventory_levels WHERE variant_id = $1 FOR UPDATE', [plenty]);
    const held = tap(plenty);
    await untilLockWaited();

    // Three more wait behind it; the line stands still for the 1.5 s the room allows.
    const waiting = await Promise.all([tap(plenty), tap(plenty), tap(plenty)]);
    for (const res of waiting) {
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body.message).toMatch(/in line for the drop/);
      expect(res.body.details).toEqual({
        code: 'DROP_QUEUE',
        position: expect.any(Number),
        estimatedWaitSeconds: expect.any(Number),
        retryAfterSeconds: 1,
      });
      expect(res.body.details.position).toBeGreaterThanOrEqual(1);
    }

    // While a buyer waits for the last unit of `scarce`, the next one wanting it stands by behind the line (one place,
    // as one checkout runs at a time), and the one after hears at once that the unit is held ahead.
    const first = tap(scarce);
    await sleep(100);
    const second = tap(scarce);
    await sleep(100);
    const third = await tap(scarce);
    expect(third.status).toBe(409);
    expect(third.headers['retry-after']).toBe('2');
    expect(third.body.details).toEqual({
      code: 'SOLD_OUT_PENDING',
      lines: [{ variantId: scarce, requested: 1, available: 1 }],
      retryAfterSeconds: 2,
    });
    expect((await first).status).toBe(429);
    const stoodBy = await second;
    expect(stoodBy.status).toBe(429);
    expect(stoodBy.body.details).toMatchObject({ code: 'DROP_QUEUE', position: expect.any(Number) });

    await locker.query('ROLLBACK');
    expect((await held).status).toBe(201);
    // The line is free again: the next buyer goes straight through, and the scarce unit is still there to buy.
    expect((await tap(scarce)).status).toBe(201);
    expect((await tap(scarce)).status).toBe(409);
  });

  it('hands the units of a checkout ahead that fails to the first buyer standing by, so the drop sells out', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 1 }, { stock: 50 }]);
    const [scarce, plenty] = product.variants.map((v) => v.id);
    await createDrop(product.id, new Date(Date.now() - 1000), { perCustomerLimit: 1 });
    // This customer has had the one unit the drop allows each: its checkout of the last scarce unit will fail inside
    // the transaction (409 DROP_LIMIT), though the door, which does not count customers, lets it hold the unit.
    const { contact } = checkoutBody([]);
    expect((await tap(plenty, 1, { contact })).status).toBe(201);

    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM inventory_levels WHERE variant_id = $1 FOR UPDATE', [plenty]);
    const held = tap(plenty);
    await untilLockWaited();
    const overLimit = tap(scarce, 1, { contact });
    await sleep(100);
    const standingBy = tap(scarce);
    await sleep(100);
    const refused = await tap(scarce);
    expect(refused.status).toBe(409);
    expect(refused.body.details.code).toBe('SOLD_OUT_PENDING');

    await locker.query('ROLLBACK');
    expect((await held).status).toBe(201);
    const limited = await overLimit;
    expect(limited.status).toBe(409);
    expect(limited.body.details).toMatchObject({ code: 'DROP_LIMIT', scope: 'drop', limit: 1 });
    const served = await standingBy;
    expect(served.status).toBe(201);
    expect(await t.prisma.orderItem.aggregate({ where: { variantId: scarce }, _sum: { quantity: true } })).toEqual({
      _sum: { quantity: 1 },
    });
    expect((await tap(scarce)).status).toBe(409);
  });

  it('keeps every waiter in line while the line moves, however long the whole line takes', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 60 }]);
    const [variantId] = product.variants.map((v) => v.id);
    await createDrop(product.id, new Date(Date.now() - 1000));
    expect((await tap(variantId)).status).toBe(201);
    // 59 buyers at once, one checkout at a time, each slowed by a lock on the stock row taken and let go every 60 ms
    // (a fast machine would otherwise serve the whole line within the timeout): the last waits far longer than the
    // 1.5 s the room may stand still, but the line keeps moving.
    let lineServed = false;
    const slowing = (async () => {
      while (!lineServed) {
        await locker.query('BEGIN');
        await locker.query('SELECT 1 FROM inventory_levels WHERE variant_id = $1 FOR UPDATE', [variantId]);
        await sleep(60);
        await locker.query('COMMIT');
      }
    })();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 59 }, () => tap(variantId)));
    const elapsed = Date.now() - started;
    lineServed = true;
    await slowing;
    expect(answers.filter((r) => r.status !== 201).map((r) => r.body)).toEqual([]);
    expect(elapsed).toBeGreaterThan(1500);
  });
});
