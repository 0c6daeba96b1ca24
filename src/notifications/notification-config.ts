import { ORDER_EVENT_TYPES, type OrderEventType } from '../outbox/outbox-events.js';

/** Order events customers are told about unless NOTIFY_EVENTS says otherwise. */
export const DEFAULT_NOTIFY_EVENTS = [
  'order.created', 'order.paid', 'order.fulfilled', 'order.delivered', 'order.cancelled', 'order.expired',
  'order.partially_refunded', 'order.refunded', 'order.returned',
].join(',');

export function parseNotifyEvents(value: string): string[] {
  return value.split(',').map((e) => e.trim()).filter(Boolean);
}

export function isOrderEventType(value: string): value is OrderEventType {
  return (ORDER_EVENT_TYPES as readonly string[]).includes(value);
}

interface NotificationEnv {
  NOTIFY_EVENTS: string;
  NOTIFICATION_LOCALE: string;
  TRACKING_URL_TEMPLATE?: string;
  WHATSAPP_ACCESS_TOKEN?: string;
  WHATSAPP_PHONE_NUMBER_ID?: string;
  WHATSAPP_API_BASE_URL: string;
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_FROM?: string;
  TWILIO_API_BASE_URL?: string;
  SMTP_URL?: string;
  SMTP_FROM?: string;
}

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
    if (missing.length && missing.length < names.length) problems.push(`${missing.join(', ')}: required when ${names.filter((n) => config[n]).join(', ')} is set`);
  };
  together(['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID']);
  together(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM']);
  together(['SMTP_URL', 'SMTP_FROM']);
  if (config.TWILIO_ACCOUNT_SID && !config.TWILIO_ACCOUNT_SID.startsWith('AC')) problems.push('TWILIO_ACCOUNT_SID: must start with AC');
  for (const name of ['WHATSAPP_API_BASE_URL', 'TWILIO_API_BASE_URL'] as const) {
    const value = config[name];
    if (value && !isHttpUrl(value)) problems.push(`${name}: must be an http(s) URL`);
  }
  if (config.SMTP_URL && !/^smtps?:\/\//.test(config.SMTP_URL)) problems.push('SMTP_URL: must look like smtp://user:pass@host:587 or smtps://host:465');
  if (config.SMTP_FROM && !/^[^\s@<>]+@[^\s@<>]+$/.test(config.SMTP_FROM)) problems.push('SMTP_FROM: must be a bare email address (the brand name is used as the sender name)');
  if (config.TRACKING_URL_TEMPLATE && !isHttpUrl(config.TRACKING_URL_TEMPLATE.replace(/\{\w+\}/g, 'x'))) problems.push('TRACKING_URL_TEMPLATE: must be an http(s) URL with {trackingNumber} and optionally {carrier}');
  return problems;
}
