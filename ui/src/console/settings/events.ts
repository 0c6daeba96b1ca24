import type { Schemas } from '@orderline/client';

/** An event Orderline announces, as the API's contract names it (webhook subscriptions take these or "*"). */
export type EventName = Exclude<Schemas['CreateWebhookEndpointDto']['events'][number], '*'>;

/**
 * Every event in words. Typed against the API's contract, so an event the API adds fails the UI's type check until it
 * is described here (and so appears in every picker).
 */
export const EVENT_LABELS: Record<EventName, string> = {
  'order.created': 'Order placed',
  'order.paid': 'Order paid',
  'order.payment_failed': 'Payment failed',
  'order.fulfilled': 'Order shipped',
  'order.in_transit': 'Parcel in transit',
  'order.out_for_delivery': 'Out for delivery',
  'order.delivery_failed': 'Delivery attempt failed',
  'order.delivered': 'Order delivered',
  'order.cancelled': 'Order cancelled',
  'order.expired': 'Unpaid order expired',
  'order.partially_refunded': 'Partly refunded',
  'order.refunded': 'Refunded',
  'order.return_requested': 'Return requested',
  'order.return_rejected': 'Return rejected',
  'order.returned': 'Return received',
  'order.rto_initiated': 'Returning to origin',
  'order.returned_to_origin': 'Returned to origin',
  'inventory.low_stock': 'Low stock',
  'inventory.out_of_stock': 'Out of stock',
  'inventory.back_in_stock': 'Back in stock',
  'waitlist.back_in_stock': 'Waitlist told: back in stock',
  'waitlist.drop_open': 'Waitlist told: drop open',
};

export const EVENT_NAMES = Object.keys(EVENT_LABELS) as EventName[];
