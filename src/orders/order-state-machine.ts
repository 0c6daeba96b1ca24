import type { OrderStatus } from '../generated/prisma/enums.js';
import { ConflictError } from '../common/errors/domain-errors.js';

export type OrderEvent =
  | 'AWAIT_PAYMENT'
  | 'CONFIRM_COD'
  | 'PAYMENT_SUCCEEDED'
  | 'PAYMENT_FAILED'
  | 'LATE_PAYMENT_ACCEPTED'
  | 'CANCEL'
  | 'EXPIRE'
  | 'FULFILL'
  | 'DELIVER'
  | 'REQUEST_RETURN'
  | 'REJECT_RETURN'
  | 'REJECT_FURTHER_RETURN'
  | 'RECEIVE_RETURN'
  | 'REFUND_PARTIAL'
  | 'REFUND_FULL';

/**
 * What a transition does to the order's stock:
 * - sellReserved: the reservation becomes a sale (on hand and reserved both decrease)
 * - sellAvailable: a sale straight from available stock (late payment after the reservation was released;
 *   the caller must lock and check availability first)
 * - releaseReserved: the reservation is given back (reserved decreases)
 * - restock: sold goods are back on the shelf (on hand increases) — all items, or the returned quantities
 * - none
 */
export type StockEffect = 'none' | 'sellReserved' | 'sellAvailable' | 'releaseReserved' | 'restock';

export interface TransitionRule {
  to: OrderStatus;
  stock: StockEffect;
}

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'CREATED', 'PAYMENT_PENDING', 'CONFIRMED', 'PAID', 'FULFILLED', 'DELIVERED', 'CANCELLED', 'EXPIRED',
  'PARTIALLY_REFUNDED', 'REFUNDED', 'RETURN_REQUESTED', 'RETURNED',
];

export const ORDER_EVENTS: readonly OrderEvent[] = [
  'AWAIT_PAYMENT', 'CONFIRM_COD', 'PAYMENT_SUCCEEDED', 'PAYMENT_FAILED', 'LATE_PAYMENT_ACCEPTED', 'CANCEL', 'EXPIRE',
  'FULFILL', 'DELIVER', 'REQUEST_RETURN', 'REJECT_RETURN', 'REJECT_FURTHER_RETURN', 'RECEIVE_RETURN', 'REFUND_PARTIAL', 'REFUND_FULL',
];

const rule = (to: OrderStatus, stock: StockEffect = 'none'): TransitionRule => ({ to, stock });

/**
 * The order lifecycle. Prepaid: CREATED → PAYMENT_PENDING → PAID → FULFILLED → DELIVERED.
 * Cash on delivery: CREATED → CONFIRMED (stock sold at checkout) → FULFILLED → DELIVERED (cash recorded).
 * PARTIALLY_REFUNDED means paid, not yet shipped, part refunded; refunds after shipping keep the shipping state.
 * A RETURNED order (some goods came back) may return what is left; rejecting that further return leaves it RETURNED.
 * Anything not listed is illegal.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, Partial<Record<OrderEvent, TransitionRule>>>> = {
  CREATED: {
    AWAIT_PAYMENT: rule('PAYMENT_PENDING'),
    CONFIRM_COD: rule('CONFIRMED', 'sellReserved'),
    CANCEL: rule('CANCELLED', 'releaseReserved'),
    EXPIRE: rule('EXPIRED', 'releaseReserved'),
  },
  PAYMENT_PENDING: {
    PAYMENT_SUCCEEDED: rule('PAID', 'sellReserved'),
    PAYMENT_FAILED: rule('PAYMENT_PENDING'),
    CANCEL: rule('CANCELLED', 'releaseReserved'),
    EXPIRE: rule('EXPIRED', 'releaseReserved'),
  },
  CONFIRMED: {
    FULFILL: rule('FULFILLED'),
    CANCEL: rule('CANCELLED', 'restock'),
  },
  PAID: {
    FULFILL: rule('FULFILLED'),
    REFUND_PARTIAL: rule('PARTIALLY_REFUNDED'),
    REFUND_FULL: rule('REFUNDED', 'restock'),
  },
  PARTIALLY_REFUNDED: {
    FULFILL: rule('FULFILLED'),
    REFUND_PARTIAL: rule('PARTIALLY_REFUNDED'),
    REFUND_FULL: rule('REFUNDED', 'restock'),
  },
  FULFILLED: {
    DELIVER: rule('DELIVERED'),
    REQUEST_RETURN: rule('RETURN_REQUESTED'),
    REFUND_PARTIAL: rule('FULFILLED'),
    REFUND_FULL: rule('REFUNDED'),
  },
  DELIVERED: {
    REQUEST_RETURN: rule('RETURN_REQUESTED'),
    REFUND_PARTIAL: rule('DELIVERED'),
    REFUND_FULL: rule('REFUNDED'),
  },
  RETURN_REQUESTED: {
    RECEIVE_RETURN: rule('RETURNED', 'restock'),
    REJECT_RETURN: rule('DELIVERED'),
    REJECT_FURTHER_RETURN: rule('RETURNED'),
  },
  RETURNED: {
    REQUEST_RETURN: rule('RETURN_REQUESTED'),
    REFUND_PARTIAL: rule('RETURNED'),
    REFUND_FULL: rule('REFUNDED'),
  },
  CANCELLED: {
    LATE_PAYMENT_ACCEPTED: rule('PAID', 'sellAvailable'),
  },
  EXPIRED: {
    LATE_PAYMENT_ACCEPTED: rule('PAID', 'sellAvailable'),
  },
  REFUNDED: {},
};

export class IllegalTransitionError extends ConflictError {
  constructor(readonly from: OrderStatus, readonly event: OrderEvent) {
    super(`Order is ${from}; ${event} is not allowed from that state`, { currentStatus: from, event });
  }
}

export interface Transition extends TransitionRule {
  from: OrderStatus;
  event: OrderEvent;
}

/** The one function that decides what an event does to an order. Pure: no I/O. */
export function transition(order: { status: OrderStatus }, event: OrderEvent): Transition {
  const found = ORDER_TRANSITIONS[order.status]?.[event];
  if (!found) throw new IllegalTransitionError(order.status, event);
  return { from: order.status, event, ...found };
}

export function canTransition(status: OrderStatus, event: OrderEvent): boolean {
  return ORDER_TRANSITIONS[status]?.[event] !== undefined;
}
