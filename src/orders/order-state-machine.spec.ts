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
  'FULFILLED MARK_IN_TRANSIT': ['IN_TRANSIT', 'none'],
  'FULFILLED MARK_OUT_FOR_DELIVERY': ['OUT_FOR_DELIVERY', 'none'],
  'FULFILLED FAIL_DELIVERY': ['DELIVERY_FAILED', 'none'],
  'FULFILLED START_RTO': ['RTO_INITIATED', 'none'],
  'IN_TRANSIT MARK_OUT_FOR_DELIVERY': ['OUT_FOR_DELIVERY', 'none'],
  'IN_TRANSIT DELIVER': ['DELIVERED', 'none'],
  'IN_TRANSIT FAIL_DELIVERY': ['DELIVERY_FAILED', 'none'],
  'IN_TRANSIT START_RTO': ['RTO_INITIATED', 'none'],
  'IN_TRANSIT REFUND_PARTIAL': ['IN_TRANSIT', 'none'],
  'IN_TRANSIT REFUND_FULL': ['REFUNDED', 'none'],
  'OUT_FOR_DELIVERY DELIVER': ['DELIVERED', 'none'],
  'OUT_FOR_DELIVERY FAIL_DELIVERY': ['DELIVERY_FAILED', 'none'],
  'OUT_FOR_DELIVERY START_RTO': ['RTO_INITIATED', 'none'],
  'OUT_FOR_DELIVERY REFUND_PARTIAL': ['OUT_FOR_DELIVERY', 'none'],
  'OUT_FOR_DELIVERY REFUND_FULL': ['REFUNDED', 'none'],
  'DELIVERY_FAILED MARK_IN_TRANSIT': ['IN_TRANSIT', 'none'],
  'DELIVERY_FAILED MARK_OUT_FOR_DELIVERY': ['OUT_FOR_DELIVERY', 'none'],
  'DELIVERY_FAILED FAIL_DELIVERY': ['DELIVERY_FAILED', 'none'],
  'DELIVERY_FAILED DELIVER': ['DELIVERED', 'none'],
  'DELIVERY_FAILED START_RTO': ['RTO_INITIATED', 'none'],
  'DELIVERY_FAILED REFUND_PARTIAL': ['DELIVERY_FAILED', 'none'],
  'DELIVERY_FAILED REFUND_FULL': ['REFUNDED', 'none'],
  'RTO_INITIATED RECEIVE_RTO': ['RETURNED_TO_ORIGIN', 'restock'],
  'RTO_INITIATED REFUND_PARTIAL': ['RTO_INITIATED', 'none'],
  'RTO_INITIATED REFUND_FULL': ['REFUNDED', 'none'],
  'RETURNED_TO_ORIGIN REFUND_PARTIAL': ['RETURNED_TO_ORIGIN', 'none'],
  'RETURNED_TO_ORIGIN REFUND_FULL': ['REFUNDED', 'none'],
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

  it('never moves a delivered order back with a late parcel event', () => {
    for (const event of ['MARK_IN_TRANSIT', 'MARK_OUT_FOR_DELIVERY', 'FAIL_DELIVERY', 'START_RTO', 'RECEIVE_RTO'] as const)
      expect(() => transition({ status: 'DELIVERED' }, event)).toThrow(IllegalTransitionError);
  });

  it('never leaves REFUNDED', () => {
    for (const event of ORDER_EVENTS) expect(() => transition({ status: 'REFUNDED' }, event)).toThrow(IllegalTransitionError);
  });
});
