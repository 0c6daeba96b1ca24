import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Prisma } from '../generated/prisma/client.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { activeBrandId, DEFAULT_BRAND_ID } from '../common/context/brand-context.js';
import { InvalidInputError, UpstreamError } from '../common/errors/domain-errors.js';
import { SettingsService } from '../settings/settings.service.js';
import { BrandsService } from '../brands/brands.service.js';
import { OutboundTargets } from '../common/net/outbound-targets.js';
import { DeliveryError } from '../outbox/delivery-error.js';
import {
  ORDER_EVENT_TYPES,
  WAITLIST_EVENT_TYPES,
  type OrderEventPayload,
  type OrderEventType,
  type WaitlistEventPayload,
  type WaitlistEventType,
} from '../outbox/outbox-events.js';
import { OutboxDestination, type OutboxDelivery, type OutboxInput } from '../outbox/outbox-destination.js';
import { LogChannel, maskAddress } from './channels/log.channel.js';
import { CHANNEL_NAMES, type ChannelName, type NotificationChannel } from './notification-channel.js';
import {
  CHANNEL_SPECS,
  channelSpec,
  RECIPIENTS,
  requiredFields,
  type ChannelEnvironment,
  type ChannelSpec,
} from './notification-channels.js';
import { DEFAULT_NOTIFY_EVENTS, isOrderEventType, parseNotifyEvents, type NotificationEnvironment } from './notification-config.js';
import { renderNotification, renderWaitlistNotification } from './templates.js';

type Environment = EnvironmentVariables & NotificationEnvironment;

const KIND = 'channel';

/** Outbox destination of a channel: "channel:whatsapp". */
export const channelDestination = (name: ChannelName) => `${KIND}:${name}`;

/** Where a brand's choice of notified events comes from. */
export type NotifyEventsSource = 'settings' | 'environment' | 'default';

export interface ChannelState {
  name: ChannelName;
  label: string;
  /** Its key in the settings' credentials (null for the log). */
  provider: string | null;
  /** Messages go out through it: all its credentials are in effect (the log: no other channel is). */
  enabled: boolean;
}

/** A made-up order, for test messages: the brand's real template with sample content. */
const sampleOrder = (currency: string, customer: { name: string; email: string | null; phone: string }): OrderEventPayload => ({
  order: {
    id: '00000000-0000-4000-8000-000000000000',
    number: 'TEST-0001',
    status: 'PAID',
    previousStatus: 'PAYMENT_PENDING',
    paymentMethod: 'TEST',
    currency,
    subtotalMinor: 129900,
    totalMinor: 129900,
    items: [{ sku: 'TEST', name: 'Test item', quantity: 1, unitPriceMinor: 129900, lineTotalMinor: 129900 }],
    customer,
    shippingAddress: null,
    carrier: null,
    trackingNumber: null,
    trackingUrl: null,
    carrierStatus: null,
    createdAt: new Date().toISOString(),
  },
  reason: null,
});

/**
 * Customer notifications, an outbox destination. Each brand configures its channels (WhatsApp, SMS, email) in its
 * settings, with credentials stored encrypted; the default brand falls back to the environment variables. A brand with
 * no channel has its messages written to the log. Which order events notify is the brand's choice too (NOTIFY_EVENTS
 * for the default brand unless it chose). Delivery renders the event's template with the brand's current settings.
 */
@Injectable()
export class NotificationsService extends OutboxDestination implements OnApplicationShutdown {
  readonly kind = KIND;
  private readonly logger = new Logger(NotificationsService.name);
  private readonly log = new LogChannel();
  private readonly environmentEvents: readonly string[];
  private readonly locale: string;
  private readonly channelEnvironment: ChannelEnvironment;
  /** Which credential fields the environment sets (they count only for the default brand). */
  private readonly environmentFields: ReadonlySet<string>;
  /** Channels built per brand, rebuilt when their credentials change. */
  private readonly built = new Map<string, { fingerprint: string; channel: NotificationChannel }>();

  constructor(
    config: ConfigService<Environment, true>,
    private readonly settings: SettingsService,
    private readonly brands: BrandsService,
    targets: OutboundTargets,
  ) {
    super();
    const read = <K extends keyof Environment>(key: K) => config.get(key, { infer: true }) as Environment[K];
    this.channelEnvironment = {
      env: {
        WHATSAPP_API_BASE_URL: read('WHATSAPP_API_BASE_URL'),
        WHATSAPP_API_VERSION: read('WHATSAPP_API_VERSION'),
        WHATSAPP_TEMPLATE_LANGUAGE: read('WHATSAPP_TEMPLATE_LANGUAGE'),
        WHATSAPP_TEMPLATE_PREFIX: read('WHATSAPP_TEMPLATE_PREFIX'),
        TWILIO_API_BASE_URL: read('TWILIO_API_BASE_URL'),
        SMTP_URL: read('SMTP_URL'),
      },
      targets,
      timeoutMs: read('OUTBOX_DELIVERY_TIMEOUT_MS'),
      senderName: async () => (await this.settings.brand()).name,
    };
    this.environmentEvents = parseNotifyEvents(read('NOTIFY_EVENTS'));
    this.locale = read('NOTIFICATION_LOCALE');
    this.environmentFields = new Set(
      CHANNEL_SPECS.flatMap((spec) =>
        Object.entries(spec.fields)
          .filter(([, field]) => Boolean(read(field.env as keyof Environment)))
          .map(([name]) => `${spec.provider}.${name}`),
      ),
    );
    const fromEnvironment = CHANNEL_SPECS.filter((spec) =>
      requiredFields(spec).every((f) => this.environmentFields.has(`${spec.provider}.${f}`)),
    );
    this.logger.log(
      `Notification channels of the default brand from the environment: ${fromEnvironment.map((c) => c.name).join(', ') || 'none (log)'}`,
    );
  }

  /** After the outbox dispatcher has drained (beforeApplicationShutdown): a delivery in flight still has its channel. */
  onApplicationShutdown(): void {
    for (const { channel } of this.built.values()) channel.close?.();
  }

  /** The order events the current brand's customers are told about, and where that choice comes from. */
  async notifyEvents(): Promise<{ events: OrderEventType[]; source: NotifyEventsSource }> {
    const chosen = await this.settings.notifyEvents();
    const [events, source]: [readonly string[], NotifyEventsSource] = chosen
      ? [chosen, 'settings']
      : activeBrandId() === DEFAULT_BRAND_ID
        ? [this.environmentEvents, 'environment']
        : [parseNotifyEvents(DEFAULT_NOTIFY_EVENTS), 'default'];
    return { events: ORDER_EVENT_TYPES.filter((e) => events.includes(e)), source };
  }

  /** The current brand's channels: which are configured, and the log, used when none is. */
  async channels(): Promise<ChannelState[]> {
    const states: ChannelState[] = await Promise.all(
      CHANNEL_SPECS.map(async (spec) => ({
        name: spec.name,
        label: spec.label,
        provider: spec.provider,
        enabled: (await this.credentialsOf(spec)) !== undefined,
      })),
    );
    return [...states, { name: 'log', label: 'Application log', provider: null, enabled: !states.some((s) => s.enabled) }];
  }

  /**
   * Each event's notification channels for the current brand, chosen inside the INSERT that queues them (no statement
   * of its own): events the brand notifies, on the channels it has configured (or the log when it has none), where the
   * customer has an address. A channel is configured when each of its credentials is stored in the brand's settings
   * or, for the default brand, set in the environment (the same rule as SettingsService.credential).
   */
  destinationsOf(events: readonly OutboxInput[]): Prisma.Sql | undefined {
    const idx: number[] = [];
    const channels: string[] = [];
    const names: string[] = [];
    events.forEach((e, i) => {
      const customer = isWaitlistEvent(e.event)
        ? (e.payload as WaitlistEventPayload).customer
        : isOrderEventType(e.event)
          ? (e.payload as Partial<OrderEventPayload>).order?.customer
          : undefined;
      if (!customer) return;
      for (const channel of CHANNEL_NAMES) {
        if (RECIPIENTS[channel](customer) === undefined) continue;
        idx.push(i + 1);
        channels.push(channel);
        names.push(e.event);
      }
    });
    if (!idx.length) return undefined;
    const brandId = activeBrandId();
    const fallbackEvents = brandId === DEFAULT_BRAND_ID ? this.environmentEvents : parseNotifyEvents(DEFAULT_NOTIFY_EVENTS);
    const configured = CHANNEL_SPECS.map((spec) => {
      const fields = requiredFields(spec).map((field) =>
        brandId === DEFAULT_BRAND_ID && this.environmentFields.has(`${spec.provider}.${field}`)
          ? Prisma.sql`true`
          : Prisma.sql`(s.credentials -> ${spec.provider}::text ->> ${field}::text) IS NOT NULL`,
      );
      return { name: spec.name, sql: Prisma.sql`(${Prisma.join(fields, ' AND ')})` };
    });
    const none = Prisma.sql`NOT (${Prisma.join(
      configured.map((c) => c.sql),
      ' OR ',
    )})`;
    return Prisma.sql`SELECT c.idx, ${`${KIND}:`} || c.channel
      FROM unnest(${idx}::int[], ${channels}::text[], ${names}::text[]) AS c(idx, channel, event)
      LEFT JOIN brand_settings s ON s.brand_id = ${brandId}::uuid
      WHERE (c.event = ANY(${[...WAITLIST_EVENT_TYPES]}::text[]) OR CASE WHEN s.notify_events IS NULL THEN c.event = ANY(${[...fallbackEvents]}::text[]) ELSE s.notify_events @> to_jsonb(c.event) END)
        AND CASE c.channel ${Prisma.join(
          configured.map((c) => Prisma.sql`WHEN ${c.name}::text THEN ${c.sql}`),
          ' ',
        )} ELSE ${none} END`;
  }

  async deliver(channelName: string, message: OutboxDelivery): Promise<void> {
    const channel = await this.channel(channelName);
    if (!channel) throw new DeliveryError(`Notification channel "${channelName}" is not configured for this brand`, true);
    if (isWaitlistEvent(message.event)) {
      // Told whatever the brand's choice of order events: the customer asked for it.
      const waiting = message.payload as WaitlistEventPayload;
      const address = channel.recipient(waiting.customer);
      if (!address) throw new DeliveryError(`The waitlist entry has no ${channel.name} address`, true);
      const [brand, base] = await Promise.all([this.settings.brand(), this.brands.publicBase(activeBrandId())]);
      const content = renderWaitlistNotification(message.event, waiting, brand, base);
      await channel.send({ id: message.id, event: message.event, to: address, customer: waiting.customer, content });
      return;
    }
    if (!isOrderEventType(message.event)) throw new DeliveryError(`No customer template for event ${message.event}`, true);
    const payload = message.payload as OrderEventPayload;
    const to = channel.recipient(payload.order.customer);
    if (!to) throw new DeliveryError(`The order has no ${channel.name} address`, true);
    const brand = await this.settings.brand();
    const content = renderNotification(message.event, payload, brand, this.locale);
    await channel.send({ id: message.id, event: message.event, to, customer: payload.order.customer, content });
  }

  /**
   * Sends the brand's "order confirmed" message about a made-up order to `to` on one channel, now, outside the outbox:
   * the proof that the channel's credentials and templates work. Resolves with the address as the log would show it.
   */
  async sendTest(channelName: ChannelName, to: string): Promise<{ to: string }> {
    const channel = await this.channel(channelName);
    if (!channel)
      throw new InvalidInputError(`Validation failed: channel`, [
        { field: 'channel', errors: [`${channelSpec(channelName)?.label ?? channelName} is not configured for this brand`] },
      ]);
    const customer = { name: 'Test Customer', email: to.includes('@') ? to : null, phone: to };
    const address = channel.recipient(customer);
    if (!address)
      throw new InvalidInputError('Validation failed: to', [
        { field: 'to', errors: [channelName === 'email' ? 'to must be an email address' : 'to must be a phone number with country code'] },
      ]);
    const brand = await this.settings.brand();
    const payload = sampleOrder(brand.defaultCurrency, customer);
    const content = renderNotification('order.paid', payload, brand, this.locale);
    try {
      await channel.send({ id: `test-${Date.now().toString(36)}`, event: 'order.paid', to: address, customer, content });
    } catch (error) {
      if (error instanceof DeliveryError) throw new UpstreamError(`The test message was not sent: ${error.message}`);
      throw error;
    }
    return { to: maskAddress(address) };
  }

  /** The current brand's channel of that name, if it is configured (the log always is). */
  private async channel(name: string): Promise<NotificationChannel | undefined> {
    if (name === 'log') return this.log;
    const spec = channelSpec(name);
    if (!spec) return undefined;
    const credentials = await this.credentialsOf(spec);
    if (!credentials) return undefined;
    const key = `${activeBrandId()}:${spec.name}`;
    const fingerprint = createHash('sha256').update(JSON.stringify(credentials)).digest('hex');
    const existing = this.built.get(key);
    if (existing?.fingerprint === fingerprint) return existing.channel;
    existing?.channel.close?.();
    const channel = spec.create(credentials, this.channelEnvironment);
    this.built.set(key, { fingerprint, channel });
    return channel;
  }

  /** The channel's credentials in effect for the current brand (optional ones when set), or undefined when a required one is missing. */
  private async credentialsOf(spec: ChannelSpec): Promise<Record<string, string> | undefined> {
    const entries = await Promise.all(
      Object.keys(spec.fields).map(async (field) => [field, await this.settings.credential(spec.provider, field)] as const),
    );
    const required = requiredFields(spec);
    if (entries.some(([field, value]) => !value && required.includes(field))) return undefined;
    return Object.fromEntries(entries.filter(([, value]) => value)) as Record<string, string>;
  }
}

const isWaitlistEvent = (event: string): event is WaitlistEventType => (WAITLIST_EVENT_TYPES as readonly string[]).includes(event);
