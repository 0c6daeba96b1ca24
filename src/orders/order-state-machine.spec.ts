import {
  ORDER_EVENTS,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  IllegalTransitionError,
  transition,
  type OrderEvent,
  type StockEffect,
} from './order-state-machine.js';
import type { OrderStatus } from '../generated/prisma/enums.js';

/**
 * The expected lifecycle written out independently of the table, so a wrong edit to either fails. Keys are typed, so a
 * misspelt status or event does not compile; every pair not listed must be refused.
 */
const LEGAL: Partial<Record<`${OrderStatus} ${OrderEvent}`, readonly [OrderStatus, StockEffect]>> = {
  'CREATED AWAIT_PAYMENT': ['PAYMENT_PENDING', 'none'],
  'CREATED CONFIRM_COD': ['CONFIRMED', 'sellReserved'],
  'CREATED CANCEL': ['CANCELLED', 'releaseReserved'],
  'CREATED EXPIRE': ['EXPIRED', 'releaseReserved'],
  'PAYMENT_PENDING PAYMENT_SUCCEEDED': ['PAID', 'sellReserved'],
  'PAYMENT_PENDING PAYMENT_FAILED': ['PAYMENT_PENDING', 'none'],
  'PAYMENT_PENDING CANCEL': ['CANCELLED', 'releaseReserved'],
  'PAYMENT_PENDING EXPIRE': ['EXPIRED', 'releaseReserved'],
  'CONFIRMED FULFILL': ['FULFILLED', 'none'],
  'CONFIRMED CANCEL': ['CANCELLED', 'restock'],
  'PAID FULFILL': ['FULFILLED', 'none'],
  'PAID REFUND_PARTIAL': ['PARTIALLY_REFUNDED', 'none'],
  'PAID REFUND_FULL': ['REFUNDED', 'restock'],
  'PARTIALLY_REFUNDED FULFILL': ['FULFILLED', 'none'],
  'PARTIALLY_REFUNDED REFUND_PARTIAL': ['PARTIALLY_REFUNDED', 'none'],
  'PARTIALLY_REFUNDED REFUND_FULL': ['REFUNDED', 'restock'],
  'FULFILLED DELIVER': ['DELIVERED', 'none'],
  'FULFILLED REQUEST_RETURN': ['RETURN_REQUESTED', 'none'],
  'FULFILLED REFUND_PARTIAL': ['FULFILLED', 'none'],
  'FULFILLED REFUND_FULL': ['REFUNDED', 'none'],
  'DELIVERED REQUEST_RETURN': ['RETURN_REQUESTED', 'none'],
  'DELIVERED REFUND_PARTIAL': ['DELIVERED', 'none'],
  'DELIVERED REFUND_FULL': ['REFUNDED', 'none'],
  'RETURN_REQUESTED RECEIVE_RETURN': ['RETURNED', 'restock'],
  'RETURN_REQUESTED REJECT_RETURN': ['DELIVERED', 'none'],
  'RETURN_REQUESTED REJECT_FURTHER_RETURN': ['RETURNED', 'none'],
  'RETURNED REQUEST_RETURN': ['RETURN_REQUESTED', 'none'],
  'RETURNED REFUND_PARTIAL': ['RETURNED', 'none'],
  'RETURNED REFUND_FULL': ['REFUNDED', 'none'],
  'CANCELLED LATE_PAYMENT_ACCEPTED': ['PAID', 'sellAvailable'],
  'EXPIRED LATE_PAYMENT_ACCEPTED': ['PAID', 'sellAvailable'],
};

describe('order state machine', () => {
  const pairs = ORDER_STATUSES.flatMap((s) => ORDER_EVENTS.map((e): [OrderStatus, OrderEvent] => [s, e]));

  it.each(pairs)('%s + %s', (status, event) => {
    const expected = LEGAL[`${status} ${event}`];
    if (expected) {
      expect(transition({ status }, event)).toEqual({ from: status, event, to: expected[0], stock: expected[1] });
    } else {
      let error: unknown;
      try {
        transition({ status }, event);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IllegalTransitionError);
      expect((error as IllegalTransitionError).status).toBe(409);
      expect((error as IllegalTransitionError).message).toContain(status);
      expect((error as IllegalTransitionError).message).toContain(event);
    }
  });

  it('has no legal transition that the expectations do not list', () => {
    const legal = pairs
      .filter(([s, e]) => ORDER_TRANSITIONS[s][e] !== null)
      .map(([s, e]) => `${s} ${e}`)
      .sort();
    expect(legal).toEqual(Object.keys(LEGAL).sort());
  });

  it('never leaves REFUNDED', () => {
    for (const event of ORDER_EVENTS) expect(() => transition({ status: 'REFUNDED' }, event)).toThrow(IllegalTransitionError);
  });
});
