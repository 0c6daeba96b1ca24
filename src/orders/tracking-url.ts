import { IsOptional, IsString } from 'class-validator';
import type { Order } from '../generated/prisma/client.js';
import { extendEnvironment } from '../config/environment-extensions.js';

/** Where a shipment can be followed: the trackingUrl of order announcements. */
export class TrackingUrlEnvironment {
  @IsOptional() @IsString() TRACKING_URL_TEMPLATE?: string;
}

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** Start-up check: the template must be an http(s) URL once its {placeholders} are filled in. */
export function checkTrackingUrlTemplate({ TRACKING_URL_TEMPLATE: template }: TrackingUrlEnvironment): string[] {
  return template && !isHttpUrl(template.replace(/\{\w+\}/g, 'x'))
    ? ['TRACKING_URL_TEMPLATE: must be an http(s) URL with {trackingNumber} and optionally {carrier}']
    : [];
}

extendEnvironment('orders', { variables: TrackingUrlEnvironment, check: (config) => checkTrackingUrlTemplate(config) });

/**
 * The order's tracking link: the carrier's own page when a booked shipment gave one, else the template with
 * {trackingNumber}, {carrier} and {orderNumber} filled in, if it has a tracking number.
 */
export function trackingUrl(
  template: string | undefined,
  order: Pick<Order, 'carrier' | 'trackingNumber' | 'number'> & Partial<Pick<Order, 'trackingUrl'>>,
): string | null {
  if (order.trackingUrl) return order.trackingUrl;
  if (!template || !order.trackingNumber) return null;
  const values: Record<string, string> = { trackingNumber: order.trackingNumber, carrier: order.carrier ?? '', orderNumber: order.number };
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? encodeURIComponent(values[key]) : whole));
}
