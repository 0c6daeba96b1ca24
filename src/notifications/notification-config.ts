import { IsOptional, IsString } from 'class-validator';
import { extendEnvironment } from '../config/environment-extensions.js';
import { ORDER_EVENT_TYPES, type OrderEventType } from '../outbox/outbox-events.js';

/** Order events customers are told about unless NOTIFY_EVENTS says otherwise. */
export const DEFAULT_NOTIFY_EVENTS = [
  'order.created',
  'order.paid',
  'order.fulfilled',
  'order.delivered',
  'order.cancelled',
  'order.expired',
  'order.partially_refunded',
  'order.refunded',
  'order.returned',
  'order.out_for_delivery',
  'order.delivery_failed',
  'order.rto_initiated',
].join(',');

export function parseNotifyEvents(value: string): string[] {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

export function isOrderEventType(value: string): value is OrderEventType {
  return (ORDER_EVENT_TYPES as readonly string[]).includes(value);
}

/** The notification channels' environment variables (see .env.example). */
export class NotificationEnvironment {
  @IsString() NOTIFY_EVENTS = DEFAULT_NOTIFY_EVENTS;
  @IsString() NOTIFICATION_LOCALE = 'en';
  @IsOptional() @IsString() WHATSAPP_ACCESS_TOKEN?: string;
  @IsOptional() @IsString() WHATSAPP_PHONE_NUMBER_ID?: string;
  @IsString() WHATSAPP_API_BASE_URL = 'https://graph.facebook.com';
  @IsString() WHATSAPP_API_VERSION = 'v21.0';
  @IsString() WHATSAPP_TEMPLATE_LANGUAGE = 'en';
  @IsString() WHATSAPP_TEMPLATE_PREFIX = '';
  @IsOptional() @IsString() TWILIO_ACCOUNT_SID?: string;
  @IsOptional() @IsString() TWILIO_AUTH_TOKEN?: string;
  @IsOptional() @IsString() TWILIO_FROM?: string;
  @IsOptional() @IsString() TWILIO_API_BASE_URL?: string;
  @IsOptional() @IsString() SMTP_URL?: string;
  @IsOptional() @IsString() SMTP_FROM?: string;
}

type NotificationEnv = Pick<NotificationEnvironment, 'NOTIFY_EVENTS' | 'NOTIFICATION_LOCALE' | 'WHATSAPP_API_BASE_URL'> &
  Partial<NotificationEnvironment>;

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** Start-up checks: a channel is either fully configured or not at all, and every named event exists. */
export function checkNotificationConfig(config: NotificationEnv): string[] {
  const problems: string[] = [];
  const unknown = parseNotifyEvents(config.NOTIFY_EVENTS).filter((e) => !isOrderEventType(e));
  if (unknown.length) problems.push(`NOTIFY_EVENTS: unknown event(s) ${unknown.join(', ')}; choose from ${ORDER_EVENT_TYPES.join(', ')}`);
  try {
    new Intl.NumberFormat(config.NOTIFICATION_LOCALE);
  } catch {
    problems.push(`NOTIFICATION_LOCALE: ${config.NOTIFICATION_LOCALE} is not a valid locale`);
  }
  const together = (names: (keyof NotificationEnv)[]) => {
    const missing = names.filter((n) => !config[n]);
    if (missing.length && missing.length < names.length)
      problems.push(`${missing.join(', ')}: required when ${names.filter((n) => config[n]).join(', ')} is set`);
  };
  together(['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID']);
  together(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM']);
  together(['SMTP_URL', 'SMTP_FROM']);
  if (config.TWILIO_ACCOUNT_SID && !config.TWILIO_ACCOUNT_SID.startsWith('AC')) problems.push('TWILIO_ACCOUNT_SID: must start with AC');
  for (const name of ['WHATSAPP_API_BASE_URL', 'TWILIO_API_BASE_URL'] as const) {
    const value = config[name];
    if (value && !isHttpUrl(value)) problems.push(`${name}: must be an http(s) URL`);
  }
  if (config.SMTP_URL && !/^smtps?:\/\//.test(config.SMTP_URL))
    problems.push('SMTP_URL: must look like smtp://user:pass@host:587 or smtps://host:465');
  if (config.SMTP_FROM && !/^[^\s@<>]+@[^\s@<>]+$/.test(config.SMTP_FROM))
    problems.push('SMTP_FROM: must be a bare email address (the brand name is used as the sender name)');
  return problems;
}

extendEnvironment('notifications', {
  variables: NotificationEnvironment,
  check: (config) => checkNotificationConfig(config as unknown as NotificationEnv),
});
