import { startTestApp, createAdmin, bearer, type TestApp } from './support/test-app.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { OutboxDispatcher } from '../src/outbox/outbox.dispatcher.js';
import { WaitlistService } from '../src/drops/waitlist.service.js';

/**
 * "Notify me": customers wait for a sold-out variant or an upcoming drop, and are told through the notification
 * channels (the log channel here: none is configured) exactly once, in sign-up order, when stock comes back — a
 * restock, a cancelled order — or when the drop opens.
 */
describe('Waitlist', () => {
  let t: TestApp;
  let admin: { token: string };
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createAdmin(t);
  });
  afterAll(() => t.close());

  /** The waitlist messages queued for these entries' contacts, in the order the dispatcher takes them. */
  const queued = (event: string, entryIds: string[]) =>
    t.prisma.outboxMessage.findMany({
      where: { event, aggregateId: { in: entryIds } },
      orderBy: [{ nextAttemptAt: 'asc' }],
    });
  const entriesOf = (target: { variantId?: string; dropId?: string }) =>
    t.prisma.waitlistEntry.findMany({ where: target, orderBy: { seq: 'asc' } });

  it('tells everyone waiting for a sold-out variant once, in sign-up order, when it is restocked or an order is cancelled', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 1 }]);
    const variantId = product.variants[0].id;
    const sold = await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId, quantity: 1 }]))
      .expect(201);

    const signUps = [{ phone: '+919800000001' }, { email: 'second@example.com' }, { phone: '+91 98000 00003' }];
    const positions = [];
    for (const contact of signUps)
      positions.push(
        (
          await t.http
            .post('/waitlist')
            .send({ variantId, ...contact })
            .expect(201)
        ).body,
      );
    expect(positions).toEqual([1, 2, 3].map((position) => ({ position, created: true })));
    // Signing up again (the same number written differently) keeps the first place and adds nobody.
    expect((await t.http.post('/waitlist').send({ variantId, phone: '09800000001' }).expect(201)).body).toEqual({
      position: 1,
      created: false,
    });
    const entries = await entriesOf({ variantId });
    expect(entries).toHaveLength(3);

    // Cancelling the sold order brings one unit back: with LOW_STOCK_MARGIN 2 that is not yet "back in stock".
    await t.http.post(`/orders/${sold.body.order.id}/cancel`).set(bearer(admin.token)).send({}).expect(200);
    expect(
      await queued(
        'waitlist.back_in_stock',
        entries.map((e) => e.id),
      ),
    ).toHaveLength(0);
    // A restock brings it back above the margin: everyone waiting is told, once each, in sign-up order.
    await t.http.patch(`/inventory/${variantId}`).set(bearer(admin.token)).send({ delta: 5, reason: 'restock' }).expect(200);
    const messages = await queued(
      'waitlist.back_in_stock',
      entries.map((e) => e.id),
    );
    expect(messages.map((m) => m.aggregateId)).toEqual(entries.map((e) => e.id));
    expect(messages.map((m) => (m.payload as any).customer)).toEqual([
      { name: '', email: null, phone: '+919800000001' },
      { name: '', email: 'second@example.com', phone: '' },
      { name: '', email: null, phone: '+919800000003' },
    ]);
    expect((messages[0].payload as any).item).toMatchObject({ variantId, available: 6 });
    expect((await entriesOf({ variantId })).every((e) => e.notifiedAt)).toBe(true);

    // Sold out and back again: the people already told are not told again.
    await t.http.patch(`/inventory/${variantId}`).set(bearer(admin.token)).send({ onHand: 0, reason: 'stock count' }).expect(200);
    await t.http.patch(`/inventory/${variantId}`).set(bearer(admin.token)).send({ onHand: 10, reason: 'restock' }).expect(200);
    expect(
      await queued(
        'waitlist.back_in_stock',
        entries.map((e) => e.id),
      ),
    ).toHaveLength(3);

    // The dispatcher delivers each message once (the log channel is the one configured). It takes due messages oldest
    // first in batches, so earlier tests' messages may fill the first batches: it runs until nothing is left to claim.
    while ((await t.app.get(OutboxDispatcher).runOnce()).claimed > 0);
    const delivered = await queued(
      'waitlist.back_in_stock',
      entries.map((e) => e.id),
    );
    expect(delivered.map((m) => m.status)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
    expect(delivered.map((m) => m.attempts)).toEqual([1, 1, 1]);
  });

  it('tells a drop’s waitlist once when it opens, in sign-up order, whichever run of the job sees it first', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 10 }]);
    const created = await t.http
      .post('/admin/drops')
      .set(bearer(admin.token))
      .send({ name: 'Soon', startsAt: new Date(Date.now() + 3_600_000).toISOString(), productIds: [product.id] })
      .expect(201);
    const dropId = created.body.id;
    for (const phone of ['+919811100001', '+919811100002', '+919811100003', '+919811100004'])
      await t.http.post('/waitlist').send({ dropId, phone }).expect(201);
    const waitlist = await t.http.get(`/admin/drops/${dropId}`).set(bearer(admin.token)).expect(200);
    expect(waitlist.body.waitlist).toBe(4);

    const job = t.app.get(WaitlistService);
    expect(await job.announceOpenedDrops()).toBe(0); // not open yet
    await t.http
      .patch(`/admin/drops/${dropId}`)
      .set(bearer(admin.token))
      .send({ startsAt: new Date(Date.now() - 1000).toISOString() })
      .expect(200);
    const runs = await Promise.all([job.announceOpenedDrops(), job.announceOpenedDrops(), job.announceOpenedDrops()]);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(4);
    const entries = await entriesOf({ dropId });
    const messages = await queued(
      'waitlist.drop_open',
      entries.map((e) => e.id),
    );
    expect(messages.map((m) => m.aggregateId)).toEqual(entries.map((e) => e.id));
    expect((messages[0].payload as any).drop).toMatchObject({ id: dropId, name: 'Soon' });
    expect(await job.announceOpenedDrops()).toBe(0);
  });

  it('refuses a sign-up without an address, for two things at once, or for something that does not exist', async () => {
    const product = await createProductWithStock(t.prisma, [{ stock: 0 }]);
    const variantId = product.variants[0].id;
    expect((await t.http.post('/waitlist').send({ variantId }).expect(400)).body.details[0].field).toBe('phone');
    await t.http.post('/waitlist').send({ variantId, dropId: variantId, phone: '+919800000009' }).expect(400);
    await t.http.post('/waitlist').send({ variantId: '6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c', phone: '+919800000009' }).expect(404);
    await t.http.post('/waitlist').send({ variantId, phone: 'call me' }).expect(400);
  });
});
