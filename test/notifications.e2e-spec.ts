import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { OutboxService } from '../src/outbox/outbox.service.js';
import { WhatsAppChannel } from '../src/notifications/channels/whatsapp.channel.js';
import { SmsChannel } from '../src/notifications/channels/sms.channel.js';
import { EmailChannel } from '../src/notifications/channels/email.channel.js';
import { OutboundTargets } from '../src/common/net/outbound-targets.js';
import { LogChannel, maskAddress } from '../src/notifications/channels/log.channel.js';
import { NotificationsService } from '../src/notifications/notifications.service.js';
import type { NotificationMessage } from '../src/notifications/notification-channel.js';
import { renderNotification } from '../src/notifications/templates.js';
import { DeliveryError } from '../src/outbox/delivery-error.js';
import { ORDER_EVENT_TYPES, type OrderEventPayload, type OrderEventType } from '../src/outbox/outbox-events.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import {
  startRecordingHttpServer,
  startRecordingSmtpServer,
  type RecordingHttpServer,
  type RecordingSmtpServer,
} from './support/recording-servers.js';

const brand = { name: 'Indigo & Co.', supportEmail: 'help@indigo.example', supportPhone: '+91 98000 00000' };

function orderPayload(overrides: Partial<OrderEventPayload['order']> = {}): OrderEventPayload {
  return {
    order: {
      id: '6f1d0c4e-0000-4000-8000-000000000001',
      number: 'OL-000042',
      status: 'PAID',
      previousStatus: 'PAYMENT_PENDING',
      paymentMethod: 'RAZORPAY',
      currency: 'INR',
      subtotalMinor: 389850,
      totalMinor: 389850,
      items: [
        { sku: 'KURTA-M', name: 'Block-Print Kurta (M)', quantity: 2, unitPriceMinor: 129950, lineTotalMinor: 259900 },
        { sku: 'STOLE-1', name: 'Silk Stole (Indigo)', quantity: 1, unitPriceMinor: 129950, lineTotalMinor: 129950 },
      ],
      customer: { name: 'Asha Rao', email: 'asha@example.com', phone: '+91 98000 00001' },
      shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      carrier: null,
      trackingNumber: null,
      trackingUrl: null,
      carrierStatus: null,
      createdAt: '2026-11-26T10:00:00.000Z',
      ...overrides,
    },
    reason: null,
  };
}

function message(
  channel: { recipient(c: OrderEventPayload['order']['customer']): string | undefined },
  event: OrderEventType,
  payload = orderPayload(),
): NotificationMessage {
  return {
    id: '0b6c1f9e-0000-4000-8000-0000000000aa',
    event,
    to: channel.recipient(payload.order.customer)!,
    customer: payload.order.customer,
    content: renderNotification(event, payload, brand, 'en'),
  };
}

/** Undoes the quoted-printable transfer encoding nodemailer uses for non-ASCII text. */
function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r\n/g, '').replace(/\r\n/g, '\n');
  return Buffer.from(
    bytes.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('message templates', () => {
  it('renders every order event with the order number, the total from minor units and the brand', () => {
    for (const event of ORDER_EVENT_TYPES) {
      const content = renderNotification(event, orderPayload(), brand, 'en');
      expect(content.subject).toContain('OL-000042');
      expect(content.shortText).toMatch(/^Indigo & Co\.: .*OL-000042/);
      expect(content.emailText).toContain('Hi Asha Rao,');
      expect(content.emailText).toContain('2 × Block-Print Kurta (M) (KURTA-M)  ₹2,599.00');
      expect(content.emailText).toContain('Total: ₹3,898.50');
      expect(content.emailText).toContain('Questions? Reach us at help@indigo.example or +91 98000 00000.');
      expect(content.whatsappParameters.every((p) => p.trim().length > 0)).toBe(true);
    }
    expect(renderNotification('order.paid', orderPayload(), brand, 'en').shortText).toBe(
      'Indigo & Co.: Payment of ₹3,898.50 received for order OL-000042. We will let you know when it ships.',
    );
  });

  it('puts the tracking link into the shipping message', () => {
    const shipped = orderPayload({
      status: 'FULFILLED',
      carrier: 'Delhivery',
      trackingNumber: 'DL123',
      trackingUrl: 'https://track.example/DL123',
    });
    const content = renderNotification('order.fulfilled', shipped, brand, 'en');
    expect(content.shortText).toBe('Indigo & Co.: Order OL-000042 is on its way with Delhivery. Track it: https://track.example/DL123');
    expect(content.emailText).toContain('Tracking number: DL123 (Delhivery)');
    expect(content.whatsappParameters).toEqual([
      'Asha Rao',
      'OL-000042',
      '2 × Block-Print Kurta (M), 1 × Silk Stole (Indigo)',
      '₹3,898.50',
      'https://track.example/DL123',
    ]);
    // Without a tracking URL template the number itself is the link text.
    expect(renderNotification('order.fulfilled', orderPayload({ trackingNumber: 'DL123' }), brand, 'en').shortText).toContain(
      'Track it: DL123',
    );
  });

  it('tells cash-on-delivery customers what to pay at the door', () => {
    const cod = renderNotification(
      'order.created',
      orderPayload({ paymentMethod: 'COD', status: 'CONFIRMED', currency: 'JPY', totalMinor: 4500 }),
      brand,
      'en',
    );
    expect(cod.shortText).toBe('Indigo & Co.: Thanks for your order OL-000042! Total ¥4,500, to be paid in cash on delivery.');
  });
});

describe('WhatsApp Business Cloud API channel', () => {
  let server: RecordingHttpServer;
  let channel: WhatsAppChannel;

  beforeAll(async () => {
    server = await startRecordingHttpServer();
    channel = new WhatsAppChannel({
      baseUrl: `${server.url}/`,
      apiVersion: 'v21.0',
      phoneNumberId: '1098765432',
      accessToken: 'wa-token',
      language: 'en_US',
      templatePrefix: 'indigo_',
      timeoutMs: 2000,
    });
  });
  afterAll(() => server.close());

  it('sends the event template with its five body parameters', async () => {
    server.respond = () => ({ status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: 'wamid.1' }] } });
    await channel.send(message(channel, 'order.paid'));
    const [request] = server.requests.splice(0);
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v21.0/1098765432/messages');
    expect(request.headers.authorization).toBe('Bearer wa-token');
    expect(JSON.parse(request.body)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '919800000001',
      type: 'template',
      template: {
        name: 'indigo_order_paid',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              'Asha Rao',
              'OL-000042',
              '2 × Block-Print Kurta (M), 1 × Silk Stole (Indigo)',
              '₹3,898.50',
              'Questions? Reach us at help@indigo.example or +91 98000 00000.',
            ].map((text) => ({ type: 'text', text })),
          },
        ],
      },
    });
  });

  it('fails for good on a rejected message and retryably on rate limits, outages and unreachable servers', async () => {
    server.respond = () => ({
      status: 400,
      body: { error: { message: '(#132001) Template name does not exist in the translation', code: 132001 } },
    });
    const rejected = await deliveryError(channel.send(message(channel, 'order.paid')));
    expect(rejected.permanent).toBe(true);
    expect(rejected.message).toContain('HTTP 400');
    expect(rejected.message).toContain('Template name does not exist');
    for (const status of [429, 500, 503]) {
      server.respond = () => ({ status, body: {} });
      expect((await deliveryError(channel.send(message(channel, 'order.paid')))).permanent).toBe(false);
    }
    const unreachable = new WhatsAppChannel({
      baseUrl: 'http://127.0.0.1:1',
      apiVersion: 'v21.0',
      phoneNumberId: '1',
      accessToken: 't',
      language: 'en',
      templatePrefix: '',
      timeoutMs: 2000,
    });
    expect((await deliveryError(unreachable.send(message(unreachable, 'order.paid')))).permanent).toBe(false);
  });

  it('has no address for customers without a usable phone number', () => {
    expect(channel.recipient({ name: 'A', email: 'a@example.com', phone: '' })).toBeUndefined();
    expect(channel.recipient({ name: 'A', email: 'a@example.com', phone: '+44 20 7946 0958' })).toBe('442079460958');
  });
});

describe('Twilio SMS channel (official SDK against a local server)', () => {
  const sid = 'AC00000000000000000000000000000042';
  let server: RecordingHttpServer;

  beforeAll(async () => {
    server = await startRecordingHttpServer();
  });
  afterAll(() => server.close());

  it('posts to the Messages resource with basic auth and the short text', async () => {
    server.respond = () => ({ status: 201, body: { sid: 'SM1', status: 'queued' } });
    const channel = new SmsChannel({
      accountSid: sid,
      authToken: 'tw-token',
      from: '+15005550006',
      apiBaseUrl: server.url,
      timeoutMs: 2000,
    });
    await channel.send(message(channel, 'order.paid'));
    const [request] = server.requests.splice(0);
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/2010-04-01/Accounts/${sid}/Messages.json`);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${sid}:tw-token`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      To: '+919800000001',
      From: '+15005550006',
      Body: 'Indigo & Co.: Payment of ₹3,898.50 received for order OL-000042. We will let you know when it ships.',
    });

    const viaService = new SmsChannel({
      accountSid: sid,
      authToken: 'tw-token',
      from: 'MG00000000000000000000000000000001',
      apiBaseUrl: `${server.url}/`,
      timeoutMs: 2000,
    });
    await viaService.send(message(viaService, 'order.delivered'));
    const params = new URLSearchParams(server.requests.splice(0)[0].body);
    expect(params.get('MessagingServiceSid')).toBe('MG00000000000000000000000000000001');
    expect(params.get('From')).toBeNull();
  });

  it('fails for good on Twilio validation errors and retryably on server errors', async () => {
    const channel = new SmsChannel({
      accountSid: sid,
      authToken: 'tw-token',
      from: '+15005550006',
      apiBaseUrl: server.url,
      timeoutMs: 2000,
    });
    server.respond = () => ({ status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 } });
    const invalid = await deliveryError(channel.send(message(channel, 'order.paid')));
    expect(invalid.permanent).toBe(true);
    expect(invalid.message).toContain('21211');
    server.respond = () => ({ status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } });
    expect((await deliveryError(channel.send(message(channel, 'order.paid')))).permanent).toBe(false);
    server.respond = () => ({ status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } });
    expect((await deliveryError(channel.send(message(channel, 'order.paid')))).permanent).toBe(false);
    server.requests.splice(0);
  });
});

describe('SMTP email channel', () => {
  let smtp: RecordingSmtpServer;
  let channel: EmailChannel;

  beforeAll(async () => {
    smtp = await startRecordingSmtpServer();
    channel = new EmailChannel({
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      from: 'orders@indigo.example',
      timeoutMs: 3000,
      senderName: async () => brand.name,
    });
  });
  afterAll(async () => {
    channel.close();
    await smtp.close();
  });

  it('mails the customer from the brand with the order lines', async () => {
    smtp.rcptReply = 250;
    await channel.send(message(channel, 'order.paid'));
    const [mail] = smtp.messages.splice(0);
    expect(mail.from).toBe('orders@indigo.example');
    expect(mail.to).toEqual(['asha@example.com']);
    expect(mail.data).toMatch(/^From: "Indigo & Co\." <orders@indigo\.example>$/m);
    expect(mail.data).toMatch(/^To: Asha Rao <asha@example\.com>$/m);
    expect(mail.data).toMatch(/^Message-ID: <0b6c1f9e-0000-4000-8000-0000000000aa@orderline>$/m);
    expect(mail.data).toMatch(/^X-Orderline-Event: order\.paid$/m);
    expect(mail.data).toContain('Subject: Indigo & Co.: Order OL-000042 confirmed');
    const body = decodeQuotedPrintable(mail.data.slice(mail.data.indexOf('\r\n\r\n') + 4));
    expect(body).toContain('Payment of ₹3,898.50 received for order OL-000042');
    expect(body).toContain('1 × Silk Stole (Indigo) (STOLE-1)  ₹1,299.50');
    expect(body).toContain('Total: ₹3,898.50');
  });

  it('fails for good when the server refuses the mailbox and retryably when it defers', async () => {
    smtp.rcptReply = 550;
    expect((await deliveryError(channel.send(message(channel, 'order.paid')))).permanent).toBe(true);
    smtp.rcptReply = 451;
    expect((await deliveryError(channel.send(message(channel, 'order.paid')))).permanent).toBe(false);
    smtp.rcptReply = 250;
    const nowhere = new EmailChannel({
      smtpUrl: 'smtp://127.0.0.1:1',
      from: 'orders@indigo.example',
      timeoutMs: 2000,
      senderName: async () => brand.name,
    });
    expect((await deliveryError(nowhere.send(message(nowhere, 'order.paid')))).permanent).toBe(false);
    nowhere.close();
    expect(smtp.messages).toHaveLength(0);
  });

  it('connects through the address policy when the server was named by an admin: refused for good on a private address', async () => {
    const checked = (allowPrivate: boolean) =>
      new EmailChannel({
        smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
        from: 'orders@indigo.example',
        timeoutMs: 3000,
        senderName: async () => brand.name,
        connect: (host, port) => new OutboundTargets(allowPrivate).connect(host, port, 3000),
      });
    const refusedChannel = checked(false);
    const connectionsBefore = smtp.connections;
    const refused = await deliveryError(refusedChannel.send(message(refusedChannel, 'order.paid')));
    expect(refused).toMatchObject({ permanent: true, message: 'SMTP server address not allowed (loopback)' });
    expect(smtp.connections).toBe(connectionsBefore);
    refusedChannel.close();
    // Where the policy allows it, mail goes over the socket the policy opened.
    const allowed = checked(true);
    await allowed.send(message(allowed, 'order.paid'));
    expect(smtp.messages.splice(0)).toHaveLength(1);
    allowed.close();
  });
});

describe('channel selection in the app', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('falls back to the log channel when no provider is configured, and only for events customers are told about', async () => {
    const notifications = t.app.get(NotificationsService);
    expect((await notifications.channels()).filter((c) => c.enabled).map((c) => c.name)).toEqual(['log']);
    const queued = async (event: string, payload: unknown) => {
      const aggregateId = `selection-${randomUUID()}`;
      await t.prisma.serializable((tx) => t.app.get(OutboxService).enqueueMany(tx, [{ event: event as never, aggregateId, payload }]));
      const rows = await t.prisma.outboxMessage.findMany({ where: { aggregateId } });
      return rows.map((r) => r.destination).filter((d) => d.startsWith('channel:'));
    };
    expect(await queued('order.paid', orderPayload())).toEqual(['channel:log']);
    expect(await queued('order.fulfilled', orderPayload())).toEqual(['channel:log']);
    // Not in the default NOTIFY_EVENTS, or not about a customer at all.
    expect(await queued('order.payment_failed', orderPayload())).toEqual([]);
    expect(await queued('inventory.low_stock', { variant: {} })).toEqual([]);
  });

  it('logs with masked addresses', async () => {
    expect(maskAddress('asha@example.com')).toBe('as***@example.com');
    expect(maskAddress('+919800000001')).toBe('***0001');
    const log = new LogChannel();
    await expect(log.send(message(log, 'order.paid'))).resolves.toBeUndefined();
  });
});
