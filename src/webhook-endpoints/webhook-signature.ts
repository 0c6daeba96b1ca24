import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Orderline-Signature';
export const EVENT_ID_HEADER = 'X-Orderline-Event-Id';
export const EVENT_TYPE_HEADER = 'X-Orderline-Event';
export const TIMESTAMP_HEADER = 'X-Orderline-Timestamp';

/**
 * Signature of an outbound webhook: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The secret is the whole string shown when the endpoint was created (UTF-8 bytes as the HMAC key). Signing the
 * timestamp with the body lets receivers reject replays of old deliveries.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${digest}`;
}
