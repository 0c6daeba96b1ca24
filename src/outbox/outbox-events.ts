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

/** Told to a customer who asked to hear of it ("notify me"): a variant back in stock, a drop open. */
export const WAITLIST_EVENT_TYPES = ['waitlist.back_in_stock', 'waitlist.drop_open'] as const;

export const EVENT_TYPES = [...ORDER_EVENT_TYPES, ...INVENTORY_EVENT_TYPES, ...WAITLIST_EVENT_TYPES] as const;

export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
export type InventoryEventType = (typeof INVENTORY_EVENT_TYPES)[number];
export type WaitlistEventType = (typeof WAITLIST_EVENT_TYPES)[number];
/** Events customers are told about: their orders', and what they are waiting for. */
export type CustomerEventType = OrderEventType | WaitlistEventType;
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

/** Payload of waitlist.* events: who asked (no name: a waitlist takes only an address) and what they waited for. */
export interface WaitlistEventPayload {
  entryId: string;
  customer: { name: string; email: string | null; phone: string };
  /** The variant back in stock (back_in_stock), or null. */
  item: { variantId: string; productName: string; variantName: string; productSlug: string; available: number } | null;
  /** The drop that opened (drop_open), or null. */
  drop: { id: string; name: string; opensAt: string } | null;
}
