import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Order, OrderItem } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import type { WriteBatch } from '../prisma/write-batch.js';
import { OutboxService } from '../outbox/outbox.service.js';
import type { OrderEventPayload, OrderEventType } from '../outbox/outbox-events.js';
import type { OrderEvent } from './order-state-machine.js';
import { trackingUrl, type TrackingUrlEnvironment } from './tracking-url.js';

/**
 * The announcement for each state-machine event. AWAIT_PAYMENT and CONFIRM_COD happen inside checkout, whose
 * `order.created` already carries the resulting status, so they announce nothing of their own.
 */
export const EVENT_TYPE_BY_ORDER_EVENT: Readonly<Record<OrderEvent, OrderEventType | null>> = {
  AWAIT_PAYMENT: null,
  CONFIRM_COD: null,
  PAYMENT_SUCCEEDED: 'order.paid',
  LATE_PAYMENT_ACCEPTED: 'order.paid',
  PAYMENT_FAILED: 'order.payment_failed',
  FULFILL: 'order.fulfilled',
  DELIVER: 'order.delivered',
  CANCEL: 'order.cancelled',
  EXPIRE: 'order.expired',
  REFUND_PARTIAL: 'order.partially_refunded',
  REFUND_FULL: 'order.refunded',
  REQUEST_RETURN: 'order.return_requested',
  REJECT_RETURN: 'order.return_rejected',
  REJECT_FURTHER_RETURN: 'order.return_rejected',
  RECEIVE_RETURN: 'order.returned',
  MARK_IN_TRANSIT: 'order.in_transit',
  MARK_OUT_FOR_DELIVERY: 'order.out_for_delivery',
  FAIL_DELIVERY: 'order.delivery_failed',
  START_RTO: 'order.rto_initiated',
  RECEIVE_RTO: 'order.returned_to_origin',
};

/** What an announcement tells of an order (the snapshot in its payload). */
export type AnnouncedOrder = Pick<
  Order,
  | 'id'
  | 'number'
  | 'status'
  | 'paymentMethod'
  | 'currency'
  | 'subtotalMinor'
  | 'totalMinor'
  | 'customerName'
  | 'email'
  | 'phone'
  | 'shippingAddress'
  | 'carrier'
  | 'trackingNumber'
  | 'trackingUrl'
  | 'carrierStatus'
  | 'createdAt'
> & { items: Pick<OrderItem, 'sku' | 'productName' | 'variantName' | 'quantity' | 'unitPriceMinor' | 'lineTotalMinor'>[] };

export interface OrderAnnouncement {
  event: OrderEventType;
  order: AnnouncedOrder;
  previousStatus?: string | null;
  reason?: string | null;
}

/** Order events for the outbox: a snapshot of the order (items, totals, customer contact, tracking) queued in the caller's transaction. */
@Injectable()
export class OrderAnnouncements {
  private readonly trackingUrlTemplate?: string;

  constructor(
    private readonly outbox: OutboxService,
    config: ConfigService<TrackingUrlEnvironment, true>,
  ) {
    this.trackingUrlTemplate = config.get('TRACKING_URL_TEMPLATE', { infer: true });
  }

  /** Queues the announcements in one INSERT. */
  announce(tx: Tx, announcements: OrderAnnouncement[]): Promise<number> {
    return this.outbox.enqueueMany(tx, this.messages(announcements));
  }

  /** `announce` as part of the caller's statement (checkout's one write). */
  announceIn(batch: WriteBatch, announcements: OrderAnnouncement[]): void {
    this.outbox.enqueueIn(batch, this.messages(announcements));
  }

  private messages(announcements: OrderAnnouncement[]) {
    return announcements.map((a) => ({ event: a.event, aggregateId: a.order.id, payload: this.payload(a) }));
  }

  private payload({ order, previousStatus, reason }: OrderAnnouncement): OrderEventPayload {
    return {
      order: {
        id: order.id,
        number: order.number,
        status: order.status,
        previousStatus: previousStatus ?? null,
        paymentMethod: order.paymentMethod,
        currency: order.currency,
        subtotalMinor: order.subtotalMinor,
        totalMinor: order.totalMinor,
        items: order.items.map((i) => ({
          sku: i.sku,
          name: i.variantName ? `${i.productName} (${i.variantName})` : i.productName,
          quantity: i.quantity,
          unitPriceMinor: i.unitPriceMinor,
          lineTotalMinor: i.lineTotalMinor,
        })),
        customer: { name: order.customerName, email: order.email, phone: order.phone },
        shippingAddress: order.shippingAddress,
        carrier: order.carrier,
        trackingNumber: order.trackingNumber,
        trackingUrl: trackingUrl(this.trackingUrlTemplate, order),
        carrierStatus: order.carrierStatus,
        createdAt: order.createdAt.toISOString(),
      },
      reason: reason ?? null,
    };
  }
}
