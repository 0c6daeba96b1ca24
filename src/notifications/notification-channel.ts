import type { CustomerEventType } from '../outbox/outbox-events.js';
import type { RenderedNotification } from './templates.js';

export const CHANNEL_NAMES = ['whatsapp', 'sms', 'email', 'log'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export interface Customer {
  name: string;
  /** null: the customer gave none (checkout asks only for a phone). */
  email: string | null;
  phone: string;
}

export interface NotificationMessage {
  /** The outbox message id: stable across retries, usable by providers that deduplicate. */
  id: string;
  event: CustomerEventType;
  /** This channel's address for the customer, as returned by `recipient`. */
  to: string;
  customer: Customer;
  content: RenderedNotification;
}

/**
 * One way of reaching customers. `send` resolves once the provider accepted the message and throws a DeliveryError
 * otherwise (permanent when the provider rejected the message itself, so retrying cannot help).
 */
export interface NotificationChannel {
  readonly name: ChannelName;
  /** The customer's address on this channel, or undefined when the order has none (no message is queued then). */
  recipient(customer: Customer): string | undefined;
  send(message: NotificationMessage): Promise<void>;
  /** Releases what the channel holds open (connection pools); called once when the app shuts down. */
  close?(): void;
}
