import type { Schemas } from '@orderline/client';
import type { Tone } from '../../components/Badge.js';

export type Order = Schemas['OrderResponse'];
export type OrderStatus = Order['status'];
export type PaymentSummary = Schemas['PaymentSummaryResponse'];
export type OrderReturn = Schemas['ReturnResponse'];

/** An order as the detail view loads it: the order, its payments, its returns and its audit trail. */
export interface OrderView {
  order: Order;
  payment: PaymentSummary;
  returns: OrderReturn[];
  audit: Schemas['AuditEntryResponse'][];
}

export const STATUS: Record<OrderStatus, { label: string; tone: Tone }> = {
  CREATED: { label: 'Created', tone: 'neutral' },
  PAYMENT_PENDING: { label: 'Awaiting payment', tone: 'warning' },
  CONFIRMED: { label: 'Confirmed (COD)', tone: 'info' },
  PAID: { label: 'Paid', tone: 'info' },
  FULFILLED: { label: 'Fulfilled', tone: 'success' },
  DELIVERED: { label: 'Delivered', tone: 'success' },
  CANCELLED: { label: 'Cancelled', tone: 'neutral' },
  EXPIRED: { label: 'Expired', tone: 'neutral' },
  PARTIALLY_REFUNDED: { label: 'Partly refunded', tone: 'warning' },
  REFUNDED: { label: 'Refunded', tone: 'neutral' },
  RETURN_REQUESTED: { label: 'Return requested', tone: 'danger' },
  RETURNED: { label: 'Returned', tone: 'neutral' },
  IN_TRANSIT: { label: 'In transit', tone: 'success' },
  OUT_FOR_DELIVERY: { label: 'Out for delivery', tone: 'success' },
  DELIVERY_FAILED: { label: 'Delivery failed', tone: 'danger' },
  RTO_INITIATED: { label: 'Returning to origin', tone: 'warning' },
  RETURNED_TO_ORIGIN: { label: 'Returned to origin', tone: 'neutral' },
};

/** The list's tabs: all orders, then the statuses staff work through, in the order they work. */
export const STATUS_TABS: { status?: OrderStatus; label: string }[] = [
  { label: 'All' },
  { status: 'PAID', label: 'Paid' },
  { status: 'CONFIRMED', label: 'COD to ship' },
  { status: 'PAYMENT_PENDING', label: 'Awaiting payment' },
  { status: 'FULFILLED', label: 'Fulfilled' },
  { status: 'DELIVERY_FAILED', label: 'Delivery failed' },
  { status: 'RTO_INITIATED', label: 'RTO' },
  { status: 'RETURN_REQUESTED', label: 'Returns' },
  { status: 'DELIVERED', label: 'Delivered' },
  { status: 'PARTIALLY_REFUNDED', label: 'Partly refunded' },
  { status: 'REFUNDED', label: 'Refunded' },
  { status: 'CANCELLED', label: 'Cancelled' },
  { status: 'EXPIRED', label: 'Expired' },
];

export const isStatus = (value: string | null): value is OrderStatus => value !== null && value in STATUS;

export const PROVIDER: Record<string, string> = { STRIPE: 'Stripe', RAZORPAY: 'Razorpay', COD: 'Cash on delivery' };

/** Whether money has been taken for the order, from its status (the list has no payment rows). */
export function paymentState(order: Order): { label: string; tone: Tone } {
  switch (order.status) {
    case 'CREATED':
    case 'PAYMENT_PENDING':
      return { label: 'Unpaid', tone: 'warning' };
    case 'CONFIRMED':
      return { label: 'Due on delivery', tone: 'info' };
    case 'FULFILLED':
    case 'IN_TRANSIT':
    case 'OUT_FOR_DELIVERY':
    case 'DELIVERY_FAILED':
    case 'RTO_INITIATED':
    case 'RETURNED_TO_ORIGIN':
      return order.paymentMethod === 'COD' ? { label: 'Due on delivery', tone: 'info' } : { label: 'Paid', tone: 'success' };
    case 'CANCELLED':
    case 'EXPIRED':
      return { label: 'Not paid', tone: 'neutral' };
    case 'PARTIALLY_REFUNDED':
      return { label: 'Partly refunded', tone: 'warning' };
    case 'REFUNDED':
      return { label: 'Refunded', tone: 'neutral' };
    default:
      return { label: 'Paid', tone: 'success' };
  }
}

export const itemCount = (order: Order) => order.items.reduce((sum, item) => sum + item.quantity, 0);
