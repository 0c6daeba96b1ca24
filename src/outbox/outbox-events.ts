/** Every event Orderline announces. Webhook endpoints subscribe to these names; customer notifications use the order ones. */
export const ORDER_EVENT_TYPES = [
  'order.created',
  'order.paid',
  'order.payment_failed',
  'order.fulfilled',
  'order.delivered',
  'order.cancelled',
  'order.expired',
  'order.partially_refunded',
  'order.refunded',
  'order.return_requested',
  'order.return_rejected',
  'order.returned',
  'order.in_transit',
  'order.out_for_delivery',
  'order.delivery_failed',
  'order.rto_initiated',
  'order.returned_to_origin',
] as const;

export const INVENTORY_EVENT_TYPES = ['inventory.low_stock', 'inventory.out_of_stock', 'inventory.back_in_stock'] as const;

export const EVENT_TYPES = [...ORDER_EVENT_TYPES, ...INVENTORY_EVENT_TYPES] as const;

export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
export type InventoryEventType = (typeof INVENTORY_EVENT_TYPES)[number];
export type EventType = (typeof EVENT_TYPES)[number];

export interface OrderEventItem {
  sku: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

/** Payload of every order.* event: a snapshot of the order as it was committed. */
export interface OrderEventPayload {
  order: {
    id: string;
    number: string;
    status: string;
    previousStatus: string | null;
    paymentMethod: string;
    currency: string;
    subtotalMinor: number;
    totalMinor: number;
    items: OrderEventItem[];
    customer: { name: string; email: string | null; phone: string };
    shippingAddress: unknown;
    carrier: string | null;
    trackingNumber: string | null;
    trackingUrl: string | null;
    /** The carrier's latest words for the parcel ("REACHED AT DESTINATION HUB"), once a carrier tracks it. */
    carrierStatus: string | null;
    createdAt: string;
  };
  reason: string | null;
}

/** Payload of inventory.* events: the variant's levels right after the movement that crossed the threshold. */
export interface InventoryEventPayload {
  variant: { id: string; sku: string; name: string; productId: string; productName: string };
  onHand: number;
  reserved: number;
  available: number;
  threshold: number;
}
