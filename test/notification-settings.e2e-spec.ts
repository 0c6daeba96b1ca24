import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { BrandsService } from '../src/brands/brands.service.js';
import { CheckoutService } from '../src/orders/checkout.service.js';
import { NotificationsService } from '../src/notifications/notifications.service.js';
import { SettingsService } from '../src/settings/settings.service.js';
import { BrandContext } from '../src/common/context/brand-context.js';
import { SYSTEM_ACTOR } from '../src/common/actor.js';
import { createProductWithStock } from './support/fixtures.js';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import { startRecordingHttpServer, startRecordingSmtpServer, type RecordingHttpServer } from './support/recording-servers.js';
import type { TestApp } from './support/test-app.js';

const TWILIO_SID = 'AC00000000000000000000000000000009';
const WHATSAPP_TOKEN = `EAAG-brand-token-${randomUUID()}-Wq7z`;

/**
 * Notification channels as brand settings: credentials stored encrypted per brand (the environment is the default
 * brand's fallback), the events that notify chosen per brand and applied inside the queuing INSERT, and a test message
 * sent through the real channel to a recording server. Its own database: it changes what every order notifies.
 */
describe('notification settings', () => {
  let isolated: IsolatedTestApp;
  let t: TestApp;
  let support: typeof import('./support/test-app.js');
  let admin: { token: string };
  let whatsapp: RecordingHttpServer;

  beforeAll(async () => {
    whatsapp = await startRecordingHttpServer();
    whatsapp.respond = () => ({ status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: 'wamid.test' }] } });
    isolated = await startIsolatedTestApp({
      // SMS is configured for the install (the default brand) by the environment; WhatsApp only through settings.
      TWILIO_ACCOUNT_SID: TWILIO_SID,
      TWILIO_AUTH_TOKEN: 'twilio-env-token-Tk42',
      TWILIO_FROM: '+15005550006',
      WHATSAPP_API_BASE_URL: whatsapp.url,
      NOTIFY_EVENTS: 'order.created,order.paid',
    });
    t = isolated.t;
    support = await import('./support/test-app.js');
    admin = await support.createAdmin(t);
  });

  afterAll(async () => {
    await isolated?.close();
    await whatsapp?.close();
  });

  const auth = () => support.bearer(admin.token);
  const channelState = async () => {
    const res = await t.http.get('/admin/notifications').set(auth()).expect(200);
    return res.body as {
      channels: { name: string; enabled: boolean; provider: string | null }[];
      notifyEvents: string[];
      notifyEventsSource: string;
    };
  };
  const enabled = async () => (await channelState()).channels.filter((c) => c.enabled).map((c) => c.name);

  async function codOrderDestinations(): Promise<string[]> {
    const product = await createProductWithStock(t.prisma, [{ stock: 5 }]);
    const res = await t.http
      .post('/orders/checkout')
      .send({
        items: [{ variantId: product.variants[0].id, quantity: 1 }],
        contact: { name: 'Asha Rao', email: 'asha@example.com', phone: '+919800000001' },
        shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
        paymentMethod: 'cod',
      })
      .expect(201);
    const rows = await t.prisma.outboxMessage.findMany({ where: { aggregateId: res.body.order.id, event: 'order.created' } });
    return rows.map((r) => r.destination).sort();
  }

  it('starts from the environment: SMS on for the default brand, NOTIFY_EVENTS, credentials shown only as their last 4', async () => {
    const state = await channelState();
    expect(state.channels).toEqual([
      { name: 'whatsapp', label: 'WhatsApp', provider: 'whatsapp', enabled: false },
      { name: 'sms', label: 'SMS (Twilio)', provider: 'twilio', enabled: true },
      { name: 'email', label: 'Email (SMTP)', provider: 'smtp', enabled: false },
      { name: 'log', label: 'Application log', provider: null, enabled: false },
    ]);
    expect(state).toMatchObject({ notifyEvents: ['order.created', 'order.paid'], notifyEventsSource: 'environment' });
    const settings = (await t.http.get('/admin/settings').set(auth()).expect(200)).body;
    expect(settings.credentialProviders).toEqual(
      expect.arrayContaining([
        { name: 'whatsapp', label: 'WhatsApp', group: 'notifications' },
        { name: 'twilio', label: 'SMS (Twilio)', group: 'notifications' },
        { name: 'smtp', label: 'Email (SMTP)', group: 'notifications' },
      ]),
    );
    expect(settings.credentials.twilio.authToken).toEqual({ set: true, last4: 'Tk42', source: 'environment' });
    expect(settings.credentials.whatsapp.accessToken).toEqual({ set: false, last4: null, source: null });
    expect(JSON.stringify(settings)).not.toContain('twilio-env-token');
    expect(await codOrderDestinations()).toEqual(['channel:sms']);
  });

  it('stores a channel encrypted per brand, refusing half a channel and malformed values with field details', async () => {
    const half = await t.http
      .patch('/admin/settings')
      .set(auth())
      .send({ credentials: { whatsapp: { accessToken: WHATSAPP_TOKEN } } })
      .expect(400);
    expect(half.body.details).toEqual([
      { field: 'credentials.whatsapp.phoneNumberId', errors: [expect.stringContaining('phoneNumberId is required')] },
    ]);
    const malformed = await t.http
      .patch('/admin/settings')
      .set(auth())
      .send({ credentials: { whatsapp: { accessToken: WHATSAPP_TOKEN, phoneNumberId: 'not digits' } } })
      .expect(400);
    expect(malformed.body.details[0].field).toMatch(/^credentials\.whatsapp\.phoneNumberId/);
    expect(await enabled()).toEqual(['sms']);

    const saved = await t.http
      .patch('/admin/settings')
      .set(auth())
      .send({ credentials: { whatsapp: { accessToken: WHATSAPP_TOKEN, phoneNumberId: '1098765432' } } })
      .expect(200);
    expect(saved.body.credentials.whatsapp).toEqual({
      accessToken: { set: true, last4: 'Wq7z', source: 'settings' },
      phoneNumberId: { set: true, last4: '5432', source: 'settings' },
      templateLanguage: { set: true, last4: 'en', source: 'environment' },
      templatePrefix: { set: false, last4: null, source: null },
    });
    expect(await enabled()).toEqual(['whatsapp', 'sms']);
    // Encrypted at rest, and never in an answer or the audit trail.
    const [row] = await t.prisma.$queryRaw<{ credentials: string }[]>`SELECT credentials::text FROM brand_settings`;
    const audit = await t.prisma.auditLog.findMany({ where: { entityType: 'brand_settings' } });
    for (const text of [row.credentials, JSON.stringify(saved.body), JSON.stringify(audit.map((a) => [a.before, a.after]))])
      expect(text).not.toContain(WHATSAPP_TOKEN);
    expect(await codOrderDestinations()).toEqual(['channel:sms', 'channel:whatsapp']);
  });

  it('sends a test message through the configured channel, and says why when it cannot', async () => {
    const sent = await t.http
      .post('/admin/notifications/test')
      .set(auth())
      .send({ channel: 'whatsapp', to: '+91 98123 45678' })
      .expect(200);
    expect(sent.body).toEqual({ channel: 'whatsapp', to: '***5678' });
    const request = whatsapp.requests.find((r) => r.body.includes('TEST-0001'));
    expect(request).toBeDefined();
    expect(request!.path).toBe('/v21.0/1098765432/messages');
    expect(request!.headers.authorization).toBe(`Bearer ${WHATSAPP_TOKEN}`);
    const body = JSON.parse(request!.body);
    expect(body).toMatchObject({ to: '919812345678', template: { name: 'order_paid' } });

    whatsapp.respond = () => ({ status: 401, body: { error: { message: 'Invalid OAuth access token', code: 190 } } });
    try {
      const refused = await t.http
        .post('/admin/notifications/test')
        .set(auth())
        .send({ channel: 'whatsapp', to: '+919812345678' })
        .expect(502);
      expect(refused.body.message).toMatch(/^The test message was not sent: WhatsApp API answered HTTP 401/);
      expect(refused.body.message).not.toContain(WHATSAPP_TOKEN);
    } finally {
      whatsapp.respond = () => ({ status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: 'wamid.test' }] } });
    }

    const notConfigured = await t.http
      .post('/admin/notifications/test')
      .set(auth())
      .send({ channel: 'email', to: 'a@b.example' })
      .expect(400);
    expect(notConfigured.body.details).toEqual([{ field: 'channel', errors: ['Email (SMTP) is not configured for this brand'] }]);
    const badAddress = await t.http.post('/admin/notifications/test').set(auth()).send({ channel: 'sms', to: '12' }).expect(400);
    expect(badAddress.body.details[0].field).toBe('to');
    const unknown = await t.http.post('/admin/notifications/test').set(auth()).send({ channel: 'pigeon', to: '+919812345678' }).expect(400);
    expect(unknown.body.details[0].field).toBe('channel');
  });

  it('will not mail through an SMTP server on a private address that an admin names (SSRF); nothing reaches it', async () => {
    const smtp = await startRecordingSmtpServer();
    try {
      await t.http
        .patch('/admin/settings')
        .set(auth())
        .send({ credentials: { smtp: { url: `smtp://127.0.0.1:${smtp.port}`, from: 'orders@brand.example' } } })
        .expect(200);
      const refused = await t.http.post('/admin/notifications/test').set(auth()).send({ channel: 'email', to: 'a@b.example' }).expect(502);
      expect(refused.body.message).toBe('The test message was not sent: SMTP server address not allowed (loopback)');
      expect(smtp.connections).toBe(0);
    } finally {
      await t.http
        .patch('/admin/settings')
        .set(auth())
        .send({ credentials: { smtp: { url: null, from: null } } })
        .expect(200);
      await smtp.close();
    }
  });

  it('chooses the events that notify per brand (audited), applied when orders are announced; null returns to NOTIFY_EVENTS', async () => {
    const bad = await t.http
      .patch('/admin/notifications')
      .set(auth())
      .send({ notifyEvents: ['order.paid', 'order.teleported'] })
      .expect(400);
    expect(bad.body.details[0].field).toBe('notifyEvents');
    expect((await channelState()).notifyEventsSource).toBe('environment');

    const chosen = await t.http
      .patch('/admin/notifications')
      .set(auth())
      .send({ notifyEvents: ['order.fulfilled', 'order.paid'] })
      .expect(200);
    expect(chosen.body).toMatchObject({ notifyEvents: ['order.paid', 'order.fulfilled'], notifyEventsSource: 'settings' });
    const [entry] = await t.prisma.auditLog.findMany({ where: { action: 'settings.updated' }, orderBy: { id: 'desc' }, take: 1 });
    expect(entry.after).toMatchObject({ notifyEvents: ['order.fulfilled', 'order.paid'] });
    // order.created no longer notifies anyone.
    expect(await codOrderDestinations()).toEqual([]);

    await t.http.patch('/admin/notifications').set(auth()).send({ notifyEvents: [] }).expect(200);
    expect((await channelState()).notifyEvents).toEqual([]);

    const reset = await t.http.patch('/admin/notifications').set(auth()).send({ notifyEvents: null }).expect(200);
    expect(reset.body).toMatchObject({ notifyEvents: ['order.created', 'order.paid'], notifyEventsSource: 'environment' });
    expect(await codOrderDestinations()).toEqual(['channel:sms', 'channel:whatsapp']);
  });

  it("another brand uses neither the install's environment nor the default brand's channels (log until it sets its own; its own WhatsApp templates)", async () => {
    const brandB = (await t.app.get(BrandsService).create({ slug: `notify-b-${randomUUID().slice(0, 6)}`, name: 'Brand B' })).id;
    const notifications = t.app.get(NotificationsService);
    const asB = <T>(work: () => Promise<T>) => BrandContext.run(brandB, work);
    expect((await asB(() => notifications.channels())).filter((c) => c.enabled).map((c) => c.name)).toEqual(['log']);
    expect(await asB(() => notifications.notifyEvents())).toEqual({
      events: expect.arrayContaining(['order.created', 'order.paid']),
      source: 'default',
    });
    expect(await asB(() => t.app.get(SettingsService).credential('twilio', 'authToken'))).toBeUndefined();
    expect((await asB(() => t.app.get(SettingsService).view())).credentials.twilio.authToken).toEqual({
      set: false,
      last4: null,
      source: null,
    });

    const product = await asB(() => createProductWithStock(t.prisma, [{ stock: 3 }]));
    const placed = await asB(() =>
      t.app.get(CheckoutService).checkout(
        {
          items: [{ variantId: product.variants[0].id, quantity: 1 }],
          contact: { name: 'Brand B Buyer', email: 'b@example.com', phone: '+919800000002' },
          shippingAddress: { line1: '1 Park Street', city: 'Kolkata', postalCode: '700016', country: 'IN' },
          paymentMethod: 'cod',
        },
        undefined,
        { type: 'GUEST' },
      ),
    );
    const rows = await asB(() => t.prisma.outboxMessage.findMany({ where: { aggregateId: placed.order.id } }));
    expect(rows.filter((r) => r.destination.startsWith('channel:')).map((r) => r.destination)).toEqual(['channel:log']);

    // Its own WhatsApp Business account has its own approved templates: their name prefix and language are its settings.
    const settings = t.app.get(SettingsService);
    const whatsappB = { accessToken: `EAAG-brand-b-${randomUUID()}`, phoneNumberId: '2098765432' };
    await asB(() =>
      settings.update({ credentials: { whatsapp: { ...whatsappB, templatePrefix: 'brandb_', templateLanguage: 'hi' } } }, SYSTEM_ACTOR),
    );
    await asB(() => notifications.sendTest('whatsapp', '+919812345678'));
    const sent = whatsapp.requests.filter((r) => r.path === '/v21.0/2098765432/messages').map((r) => JSON.parse(r.body).template);
    expect(sent).toEqual([expect.objectContaining({ name: 'brandb_order_paid', language: { code: 'hi' } })]);
    // The default brand keeps the install's templates; a prefix that cannot be a template name is refused at the field.
    const bad = await t.http
      .patch('/admin/settings')
      .set(auth())
      .send({ credentials: { whatsapp: { templatePrefix: 'Brand B!' } } })
      .expect(400);
    expect(bad.body.details).toEqual([
      { field: 'credentials.whatsapp.templatePrefix', errors: ['templatePrefix must be lowercase letters, digits and underscores'] },
    ]);
    whatsapp.requests.splice(0);
    await t.http.post('/admin/notifications/test').set(auth()).send({ channel: 'whatsapp', to: '+919812345678' }).expect(200);
    expect(whatsapp.requests.map((r) => JSON.parse(r.body).template)).toEqual([
      expect.objectContaining({ name: 'order_paid', language: { code: 'en' } }),
    ]);
  });
});
