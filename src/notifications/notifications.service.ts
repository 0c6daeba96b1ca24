import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Prisma } from '../generated/prisma/client.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { SettingsService } from '../settings/settings.service.js';
import { DeliveryError } from '../outbox/delivery-error.js';
import {
  WAITLIST_EVENT_TYPES,
  type OrderEventPayload,
  type WaitlistEventPayload,
  type WaitlistEventType,
} from '../outbox/outbox-events.js';
import { OutboxDestination, type OutboxDelivery, type OutboxInput } from '../outbox/outbox-destination.js';
import { EmailChannel } from './channels/email.channel.js';
import { LogChannel } from './channels/log.channel.js';
import { SmsChannel } from './channels/sms.channel.js';
import { WhatsAppChannel } from './channels/whatsapp.channel.js';
import type { ChannelName, Customer, NotificationChannel } from './notification-channel.js';
import { isOrderEventType, parseNotifyEvents, type NotificationEnvironment } from './notification-config.js';
import { renderNotification, renderWaitlistNotification } from './templates.js';

type Environment = EnvironmentVariables & NotificationEnvironment;

const KIND = 'channel';

/** Outbox destination of a channel: "channel:whatsapp". */
export const channelDestination = (name: ChannelName) => `${KIND}:${name}`;

/**
 * Customer notifications, an outbox destination. The configured channels (WhatsApp, SMS, email — or the log when none
 * is) each get one outbox message per notified event; delivery renders the event's template with the brand's current
 * settings.
 */
@Injectable()
export class NotificationsService extends OutboxDestination implements OnApplicationShutdown {
  readonly kind = KIND;
  private readonly logger = new Logger(NotificationsService.name);
  private readonly channels: NotificationChannel[];
  /** The enabled channels plus the log, so messages queued for the log before a provider was configured still go out. */
  private readonly deliverable: NotificationChannel[];
  private readonly notifyEvents: ReadonlySet<string>;
  private readonly locale: string;

  constructor(
    config: ConfigService<Environment, true>,
    private readonly settings: SettingsService,
  ) {
    super();
    this.channels = this.createChannels(config);
    this.deliverable = this.channels.some((c) => c.name === 'log') ? this.channels : [...this.channels, new LogChannel()];
    this.notifyEvents = new Set(parseNotifyEvents(config.get('NOTIFY_EVENTS', { infer: true })));
    this.locale = config.get('NOTIFICATION_LOCALE', { infer: true });
    this.logger.log(`Notification channels: ${this.channels.map((c) => c.name).join(', ')}`);
  }

  /** After the outbox dispatcher has drained (beforeApplicationShutdown): a delivery in flight still has its channel. */
  onApplicationShutdown(): void {
    for (const channel of this.channels) channel.close?.();
  }

  get channelNames(): ChannelName[] {
    return this.channels.map((c) => c.name);
  }

  /** Outbox destinations for an event: every channel on which the customer has an address, if customers hear about this event. */
  destinationsFor(event: string, payload: unknown): string[] {
    // A waitlist message goes out whatever NOTIFY_EVENTS says: the customer asked for it.
    if (isWaitlistEvent(event)) return this.recipientChannels((payload as WaitlistEventPayload).customer);
    if (!this.notifyEvents.has(event)) return [];
    return this.recipientChannels((payload as Partial<OrderEventPayload>).order?.customer);
  }

  private recipientChannels(customer: Customer | undefined): string[] {
    if (!customer) return [];
    return this.channels.filter((c) => c.recipient(customer) !== undefined).map((c) => channelDestination(c.name));
  }

  /** Every channel on which each event's customer has an address, computed here and handed to the INSERT as arrays. */
  destinationsOf(events: readonly OutboxInput[]): Prisma.Sql | undefined {
    const idx: number[] = [];
    const destinations: string[] = [];
    events.forEach((e, i) => {
      for (const destination of this.destinationsFor(e.event, e.payload)) {
        idx.push(i + 1);
        destinations.push(destination);
      }
    });
    return idx.length ? Prisma.sql`SELECT * FROM unnest(${idx}::int[], ${destinations}::text[]) AS c(idx, destination)` : undefined;
  }

  async deliver(channelName: string, message: OutboxDelivery): Promise<void> {
    const channel = this.deliverable.find((c) => c.name === channelName);
    if (!channel) throw new DeliveryError(`Notification channel "${channelName}" is not configured on this instance`, true);
    if (isWaitlistEvent(message.event)) {
      const waiting = message.payload as WaitlistEventPayload;
      const address = channel.recipient(waiting.customer);
      if (!address) throw new DeliveryError(`The waitlist entry has no ${channel.name} address`, true);
      const content = renderWaitlistNotification(message.event, waiting, await this.settings.brand());
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

  private createChannels(config: ConfigService<Environment, true>): NotificationChannel[] {
    const get = <K extends keyof Environment>(key: K) => config.get(key, { infer: true }) as Environment[K];
    const timeoutMs = get('OUTBOX_DELIVERY_TIMEOUT_MS');
    const channels: NotificationChannel[] = [];
    const whatsappToken = get('WHATSAPP_ACCESS_TOKEN');
    const whatsappNumber = get('WHATSAPP_PHONE_NUMBER_ID');
    if (whatsappToken && whatsappNumber) {
      channels.push(
        new WhatsAppChannel({
          baseUrl: get('WHATSAPP_API_BASE_URL'),
          apiVersion: get('WHATSAPP_API_VERSION'),
          phoneNumberId: whatsappNumber,
          accessToken: whatsappToken,
          language: get('WHATSAPP_TEMPLATE_LANGUAGE'),
          templatePrefix: get('WHATSAPP_TEMPLATE_PREFIX'),
          timeoutMs,
        }),
      );
    }
    const twilioSid = get('TWILIO_ACCOUNT_SID');
    const twilioToken = get('TWILIO_AUTH_TOKEN');
    const twilioFrom = get('TWILIO_FROM');
    if (twilioSid && twilioToken && twilioFrom) {
      channels.push(
        new SmsChannel({
          accountSid: twilioSid,
          authToken: twilioToken,
          from: twilioFrom,
          apiBaseUrl: get('TWILIO_API_BASE_URL'),
          timeoutMs,
        }),
      );
    }
    const smtpUrl = get('SMTP_URL');
    const smtpFrom = get('SMTP_FROM');
    if (smtpUrl && smtpFrom) {
      channels.push(new EmailChannel({ smtpUrl, from: smtpFrom, timeoutMs, senderName: async () => (await this.settings.brand()).name }));
    }
    if (!channels.length) channels.push(new LogChannel());
    return channels;
  }
}

const isWaitlistEvent = (event: string): event is WaitlistEventType => (WAITLIST_EVENT_TYPES as readonly string[]).includes(event);
