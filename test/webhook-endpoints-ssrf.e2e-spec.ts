import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { OutboxDispatcher } from '../src/outbox/outbox.dispatcher.js';
import { SecretBox } from '../src/common/crypto/secret-box.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import { startRecordingHttpServer, type RecordingHttpServer } from './support/recording-servers.js';
import type { TestApp } from './support/test-app.js';

/**
 * Brand webhook endpoints with the production policy (ALLOW_PRIVATE_TARGETS unset): an admin cannot make
 * Orderline call loopback, private, link-local, CGNAT, multicast or metadata addresses — not when saving an endpoint,
 * and not at delivery, whatever the stored URL or its name resolves to then.
 */
describe('webhook endpoints cannot reach private networks', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let support: typeof import('./support/test-app.js');
  let admin: { token: string };
  let receiver: RecordingHttpServer;

  beforeAll(async () => {
    receiver = await startRecordingHttpServer();
    isolated = await startIsolatedTestApp({ OUTBOX_DELIVERY_TIMEOUT_MS: '3000' });
    t = isolated.t;
    support = await import('./support/test-app.js');
    admin = await support.createAdmin(t);
  });

  afterAll(async () => {
    await isolated?.close();
    await receiver?.close();
  });

  const auth = () => support.bearer(admin.token);
  const create = (url: string) =>
    t.http
      .post('/admin/webhook-endpoints')
      .set(auth())
      .send({ url, events: ['*'] });

  it('refuses to save a URL that points at a private, loopback or link-local address, in any spelling', async () => {
    const before = await t.prisma.webhookEndpoint.count();
    const port = new URL(receiver.url).port;
    for (const url of [
      `http://127.0.0.1:${port}/hook`,
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.8/hook',
      'http://192.168.1.1/hook',
      'http://172.20.0.1/hook',
      'http://100.64.0.1/hook',
      'http://0.0.0.0/hook',
      'http://224.0.0.1/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[fd00::1]/hook',
    ]) {
      const res = await create(url).expect(400);
      expect({ url, details: res.body.details }).toEqual({
        url,
        details: [{ field: 'url', errors: [expect.stringMatching(/^url must not (point|resolve) to a .+ address$/)] }],
      });
    }
    expect(await t.prisma.webhookEndpoint.count()).toBe(before);

    const ok = await create('https://hooks.example.com/orderline').expect(201);
    const patched = await t.http
      .patch(`/admin/webhook-endpoints/${ok.body.id}`)
      .set(auth())
      .send({ url: 'http://169.254.169.254/' })
      .expect(400);
    expect(patched.body.details).toEqual([{ field: 'url', errors: ['url must not point to a link-local address'] }]);
    expect((await t.http.get(`/admin/webhook-endpoints/${ok.body.id}`).set(auth()).expect(200)).body.url).toBe(
      'https://hooks.example.com/orderline',
    );
    await t.http.delete(`/admin/webhook-endpoints/${ok.body.id}`).set(auth()).expect(204);
  });

  it('refuses at delivery a stored URL whose address is private, without connecting, and tells the admin only that', async () => {
    // Rows as an earlier version (or a DNS change since saving) could have left them: written past the API's check.
    const box = t.app.get(SecretBox);
    const endpoints = await Promise.all(
      [receiver.url, receiver.url.replace('127.0.0.1', 'localhost')].map(async (base) => {
        const id = randomUUID();
        await t.prisma.webhookEndpoint.create({
          data: {
            id,
            url: `${base}/internal`,
            events: ['*'],
            secretEncrypted: box.encrypt(`ol_whsec_${randomBytes(8).toString('hex')}`, `webhook_endpoints.secret:${id}`),
          },
        });
        return id;
      }),
    );

    const product = await createProductWithStock(t.prisma, [{ stock: 2 }]);
    const res = await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId: product.variants[0].id, quantity: 1 }]))
      .expect(201);
    await t.app.get(OutboxDispatcher).drain();

    const rows = await t.prisma.outboxMessage.findMany({
      where: { aggregateId: res.body.order.id, destination: { startsWith: 'webhook:' } },
    });
    expect(rows.map((r) => [r.destination, r.status, r.attempts, r.lastError]).sort()).toEqual(
      endpoints.map((id) => [`webhook:${id}`, 'FAILED', 1, 'Webhook endpoint address not allowed (loopback)']).sort(),
    );
    expect(receiver.requests).toHaveLength(0);
    await t.prisma.webhookEndpoint.deleteMany({ where: { id: { in: endpoints } } });
  });
});
