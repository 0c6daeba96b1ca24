import { OrderStatus } from '../generated/prisma/enums.js';
import { ConflictError } from '../common/errors/domain-errors.js';

/** Every order status, in schema order: the generated enum object is the schema's own list. */
export const ORDER_STATUSES: readonly OrderStatus[] = Object.values(OrderStatus);

/** Every event of the order lifecycle. The transition table below must answer each one in every status. */
export const ORDER_EVENTS = [
  'AWAIT_PAYMENT',
  'CONFIRM_COD',
  'PAYMENT_SUCCEEDED',
  'PAYMENT_FAILED',
  'LATE_PAYMENT_ACCEPTED',
  'CANCEL',
  'EXPIRE',
  'FULFILL',
  'DELIVER',
  'REQUEST_RETURN',
  'REJECT_RETURN',
  'REJECT_FURTHER_RETURN',
  'RECEIVE_RETURN',
  'REFUND_PARTIAL',
  'REFUND_FULL',
] as const;

export type OrderEvent = (typeof ORDER_EVENTS)[number];

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

const rule = (to: OrderStatus, stock: StockEffect = 'none'): TransitionRule => ({ to, stock });

/**
 * The order lifecycle: for every status, every event, what it leads to — or null, illegal. Typed as a complete
 * table, so adding a status or an event does not compile until each of its cells is decided.
 * Prepaid: CREATED → PAYMENT_PENDING → PAID → FULFILLED → DELIVERED.
 * Cash on delivery: CREATED → CONFIRMED (stock sold at checkout) → FULFILLED → DELIVERED (cash recorded).
 * PARTIALLY_REFUNDED means paid, not yet shipped, part refunded; refunds after shipping keep the shipping state.
 * A RETURNED order (some goods came back) may return what is left; rejecting that further return leaves it RETURNED.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, Readonly<Record<OrderEvent, TransitionRule | null>>>> = {
  CREATED: {
    AWAIT_PAYMENT: rule('PAYMENT_PENDING'),
    CONFIRM_COD: rule('CONFIRMED', 'sellReserved'),
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: rule('CANCELLED', 'releaseReserved'),
    EXPIRE: rule('EXPIRED', 'releaseReserved'),
    FULFILL: null,
    DELIVER: null,
    REQUEST_RETURN: null,
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: null,
    REFUND_FULL: null,
  },
  PAYMENT_PENDING: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: rule('PAID', 'sellReserved'),
    PAYMENT_FAILED: rule('PAYMENT_PENDING'),
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: rule('CANCELLED', 'releaseReserved'),
    EXPIRE: rule('EXPIRED', 'releaseReserved'),
    FULFILL: null,
    DELIVER: null,
    REQUEST_RETURN: null,
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: null,
    REFUND_FULL: null,
  },
  CONFIRMED: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: rule('CANCELLED', 'restock'),
    EXPIRE: null,
    FULFILL: rule('FULFILLED'),
    DELIVER: null,
    REQUEST_RETURN: null,
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: null,
    REFUND_FULL: null,
  },
  PAID: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: null,
    EXPIRE: null,
    FULFILL: rule('FULFILLED'),
    DELIVER: null,
    REQUEST_RETURN: null,
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: rule('PARTIALLY_REFUNDED'),
    REFUND_FULL: rule('REFUNDED', 'restock'),
  },
  PARTIALLY_REFUNDED: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: null,
    EXPIRE: null,
    FULFILL: rule('FULFILLED'),
    DELIVER: null,
    REQUEST_RETURN: null,
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: rule('PARTIALLY_REFUNDED'),
    REFUND_FULL: rule('REFUNDED', 'restock'),
  },
  FULFILLED: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: null,
    EXPIRE: null,
    FULFILL: null,
    DELIVER: rule('DELIVERED'),
    REQUEST_RETURN: rule('RETURN_REQUESTED'),
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: rule('FULFILLED'),
    REFUND_FULL: rule('REFUNDED'),
  },
  DELIVERED: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: null,
    EXPIRE: null,
    FULFILL: null,
    DELIVER: null,
    REQUEST_RETURN: rule('RETURN_REQUESTED'),
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: rule('DELIVERED'),
    REFUND_FULL: rule('REFUNDED'),
  },
  RETURN_REQUESTED: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: null,
    EXPIRE: null,
    FULFILL: null,
    DELIVER: null,
    REQUEST_RETURN: null,
    REJECT_RETURN: rule('DELIVERED'),
    REJECT_FURTHER_RETURN: rule('RETURNED'),
    RECEIVE_RETURN: rule('RETURNED', 'restock'),
    REFUND_PARTIAL: null,
    REFUND_FULL: null,
  },
  RETURNED: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: null,
    EXPIRE: null,
    FULFILL: null,
    DELIVER: null,
    REQUEST_RETURN: rule('RETURN_REQUESTED'),
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: rule('RETURNED'),
    REFUND_FULL: rule('REFUNDED'),
  },
  CANCELLED: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: rule('PAID', 'sellAvailable'),
    CANCEL: null,
    EXPIRE: null,
    FULFILL: null,
    DELIVER: null,
    REQUEST_RETURN: null,
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: null,
    REFUND_FULL: null,
  },
  EXPIRED: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: rule('PAID', 'sellAvailable'),
    CANCEL: null,
    EXPIRE: null,
    FULFILL: null,
    DELIVER: null,
    REQUEST_RETURN: null,
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: null,
    REFUND_FULL: null,
  },
  REFUNDED: {
    AWAIT_PAYMENT: null,
    CONFIRM_COD: null,
    PAYMENT_SUCCEEDED: null,
    PAYMENT_FAILED: null,
    LATE_PAYMENT_ACCEPTED: null,
    CANCEL: null,
    EXPIRE: null,
    FULFILL: null,
    DELIVER: null,
    REQUEST_RETURN: null,
    REJECT_RETURN: null,
    REJECT_FURTHER_RETURN: null,
    RECEIVE_RETURN: null,
    REFUND_PARTIAL: null,
    REFUND_FULL: null,
  },
};

export class IllegalTransitionError extends ConflictError {
  constructor(
    readonly from: OrderStatus,
    readonly event: OrderEvent,
  ) {
    super(`Order is ${from}; ${event} is not allowed from that state`, { currentStatus: from, event });
  }
}

export interface Transition extends TransitionRule {
  from: OrderStatus;
  event: OrderEvent;
}

/** The one function that decides what an event does to an order. Pure: no I/O. */
export function transition(order: { status: OrderStatus }, event: OrderEvent): Transition {
  const found = ORDER_TRANSITIONS[order.status][event];
  if (!found) throw new IllegalTransitionError(order.status, event);
  return { from: order.status, event, ...found };
}

export function canTransition(status: OrderStatus, event: OrderEvent): boolean {
  return ORDER_TRANSITIONS[status][event] !== null;
}
