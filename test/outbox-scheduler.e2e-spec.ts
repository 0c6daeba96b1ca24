import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { createProductWithStock } from './support/fixtures.js';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import { startRecordingHttpServer, type RecordingHttpServer } from './support/recording-servers.js';

/** The dispatcher on its schedule (SCHEDULER_ENABLED=true), on a database of its own so it only sees its own messages. */
describe('outbox dispatcher schedule', () => {
  let isolated: IsolatedTestApp | undefined;
  let receiver: RecordingHttpServer;

  beforeAll(async () => {
    receiver = await startRecordingHttpServer();
    isolated = await startIsolatedTestApp({ SCHEDULER_ENABLED: 'true', OUTBOX_INTERVAL_MS: '100', ALLOW_PRIVATE_TARGETS: 'true' });
  });

  afterAll(async () => {
    await isolated?.close();
    await receiver?.close();
  });

  it('delivers committed messages by itself and stops with the app', async () => {
    const { t } = isolated!;
    const support = await import('./support/test-app.js');
    const admin = await support.createAdmin(t);
    await t.http
      .post('/admin/webhook-endpoints')
      .set(support.bearer(admin.token))
      .send({ url: `${receiver.url}/hook`, events: ['order.created'] })
      .expect(201);
    const product = await createProductWithStock(t.prisma, [{ stock: 3 }]);
    const res = await t.http
      .post('/orders/checkout')
      .send({
        items: [{ variantId: product.variants[0].id, quantity: 1 }],
        contact: { name: 'Asha Rao', email: 'asha@example.com', phone: '+919800000001' },
        shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
        paymentMethod: 'cod',
      })
      .expect(201);

    const messages = () => t.prisma.outboxMessage.findMany({ where: { aggregateId: res.body.order.id } });
    const deadline = Date.now() + 15_000;
    while ((await messages()).some((m) => m.status !== 'DELIVERED') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await messages()).map((m) => [m.destination, m.status]).sort()).toEqual([
      ['channel:log', 'DELIVERED'],
      [expect.stringMatching(/^webhook:/), 'DELIVERED'],
    ]);
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.order.id)).toEqual([res.body.order.id]);

    const scheduler = t.app.get(SchedulerRegistry);
    expect(scheduler.doesExist('interval', 'outbox-dispatch')).toBe(true);
    await isolated!.close();
    isolated = undefined;
    expect(scheduler.doesExist('interval', 'outbox-dispatch')).toBe(false);
  });
});
