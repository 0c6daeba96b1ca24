/**
 * The carrier tracking link of a shipped order, from TRACKING_URL_TEMPLATE ("https://track.example/{carrier}/
 * {trackingNumber}"; {orderNumber} too), or null without a template or a tracking number. Values are URL-encoded.
 */
export function trackingUrl(template: string | undefined, order: { carrier: string | null; trackingNumber: string | null; number: string }): string | null {
  if (!template || !order.trackingNumber) return null;
  const values: Record<string, string> = { trackingNumber: order.trackingNumber, carrier: order.carrier ?? '', orderNumber: order.number };
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? encodeURIComponent(values[key]) : whole));
}
