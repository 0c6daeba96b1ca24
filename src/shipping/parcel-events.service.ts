import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Prisma, Shipment } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import type { Actor } from '../common/actor.js';
import { implementationOf } from '../common/ports.js';
import { canTransition, type OrderEvent } from '../orders/order-state-machine.js';
import { OrderTransitionsService, type LockedOrder } from '../orders/order-transitions.service.js';
import { PaymentGateway } from '../orders/payment-gateway.js';
import { nationalPhone } from '../orders/dto/normalize.js';
import type { CarrierEvent, ParcelStatus } from './carrier-provider.js';

/** What one tracking event did: recorded and applied, recorded only (stale or not applicable), or nothing. */
export type ParcelEventOutcome = 'APPLIED' | 'STALE' | 'IGNORED' | 'DUPLICATE' | 'UNKNOWN_PARCEL';

export type ParcelEventSource = 'webhook' | 'poll' | 'staff';

/** The order event each parcel status is (RTO_DELIVERED and CANCELLED are handled on the shipment: see apply). */
const ORDER_EVENT_BY_PARCEL_STATUS: Readonly<Record<ParcelStatus, OrderEvent | null>> = {
  IN_TRANSIT: 'MARK_IN_TRANSIT',
  OUT_FOR_DELIVERY: 'MARK_OUT_FOR_DELIVERY',
  DELIVERED: 'DELIVER',
  DELIVERY_FAILED: 'FAIL_DELIVERY',
  RTO_INITIATED: 'START_RTO',
  RTO_DELIVERED: null,
  CANCELLED: null,
};

/** Shipments whose events are matched: a parcel that was booked (cancelled ones still record what comes late). */
const TRACKED_STATES = ['BOOKED', 'CLOSED', 'CANCELLED'];

/**
 * Applies carrier tracking events to orders, each in its own transaction under the order's row lock: recorded once
 * per carrier event id (the unique constraint drops duplicates), applied only when it is the newest thing the carrier
 * said about the parcel and the order's state machine allows it (so a late "in transit" never moves a delivered order
 * back). Delivery of a cash-on-delivery order records the cash through the payments port; the start of a return to
 * origin counts against the customer's phone.
 */
@Injectable()
export class ParcelEvents implements OnModuleInit {
  private readonly logger = new Logger(ParcelEvents.name);
  private payments!: PaymentGateway;

  constructor(
    private readonly prisma: PrismaService,
    private readonly transitions: OrderTransitionsService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.payments = implementationOf(this.moduleRef, PaymentGateway);
  }

  /** Applies the events oldest first (a poll returns a parcel's whole history), each in its own transaction. */
  async apply(carrier: string, events: CarrierEvent[], source: ParcelEventSource, actor: Actor): Promise<ParcelEventOutcome[]> {
    const ordered = events
      .map((event, index) => ({ event, index }))
      .sort((a, b) => a.event.occurredAt.getTime() - b.event.occurredAt.getTime());
    const outcomes: ParcelEventOutcome[] = new Array<ParcelEventOutcome>(events.length);
    for (const { event, index } of ordered)
      outcomes[index] = await this.prisma.serializable((tx) => this.applyOne(tx, carrier, event, source, actor));
    return outcomes;
  }

  private async applyOne(
    tx: Tx,
    carrier: string,
    event: CarrierEvent,
    source: ParcelEventSource,
    actor: Actor,
  ): Promise<ParcelEventOutcome> {
    const found = await tx.shipment.findFirst({
      where: { carrier, awb: event.awb },
      select: { id: true, orderId: true },
    });
    if (!found) {
      this.logger.warn(`${carrier} tracking event for unknown AWB ${event.awb} (${event.carrierStatus}) ignored`);
      return 'UNKNOWN_PARCEL';
    }
    // The order lock serialises every event of the parcel; the shipment is read again under it.
    const order = await this.transitions.lockOrder(tx, found.orderId);
    const shipment = await tx.shipment.findUniqueOrThrow({ where: { id: found.id } });
    if (!TRACKED_STATES.includes(shipment.state)) return 'UNKNOWN_PARCEL';
    const decision = this.decide(order, shipment, event);
    const recorded = await tx.shipmentEvent.createMany({
      data: [
        {
          shipmentId: shipment.id,
          carrier,
          carrierEventId: event.eventId,
          parcelStatus: event.parcelStatus,
          carrierStatus: event.carrierStatus,
          reason: event.reason ?? null,
          source,
          outcome: decision.outcome,
          occurredAt: event.occurredAt,
          payload: event.payload as Prisma.InputJsonValue,
        },
      ],
      skipDuplicates: true,
    });
    if (!recorded.count) return 'DUPLICATE';

    const newest = !shipment.lastEventAt || event.occurredAt >= shipment.lastEventAt;
    const update: Prisma.ShipmentUpdateInput = {};
    if (event.parcelStatus === 'DELIVERY_FAILED') {
      // Every failed attempt counts, even one reported late.
      update.ndrAttempts = { increment: 1 };
      if (newest) update.ndrReason = event.reason ?? event.carrierStatus;
    }
    if (newest) update.carrierStatus = event.carrierStatus;
    if (decision.outcome === 'APPLIED') {
      update.lastEventAt = event.occurredAt;
      const reason = event.reason ? `${event.carrierStatus}: ${event.reason}` : event.carrierStatus;
      let current: LockedOrder = order;
      for (const orderEvent of decision.orderEvents) {
        current = (await this.transitions.apply(tx, current, orderEvent, { actor, reason, data: { carrierStatus: event.carrierStatus } }))
          .order;
        if (orderEvent === 'DELIVER') await this.payments.delivered(tx, current, actor);
        if (orderEvent === 'START_RTO') await this.countRto(tx, current.phone);
      }
      if (event.parcelStatus === 'RTO_DELIVERED') update.rtoArrivedAt = event.occurredAt;
      if (!decision.orderEvents.length) await tx.order.update({ where: { id: order.id }, data: { carrierStatus: event.carrierStatus } });
    } else if (newest && decision.outcome === 'IGNORED' && event.parcelStatus === null && shipment.state === 'BOOKED') {
      // Words the carrier says without moving the parcel (pickup scheduled, manifested) are still the latest news.
      await tx.order.update({ where: { id: order.id }, data: { carrierStatus: event.carrierStatus } });
    }
    // Delivered (by this event, or before it by staff): the parcel is done, polling stops.
    if (event.parcelStatus === 'DELIVERED' && decision.outcome !== 'STALE' && shipment.state === 'BOOKED') update.state = 'CLOSED';
    if (Object.keys(update).length) await tx.shipment.update({ where: { id: shipment.id }, data: update });
    return decision.outcome;
  }

  /** What an event does to the order: the state-machine events to apply, or why it is only recorded. */
  private decide(
    order: LockedOrder,
    shipment: Shipment,
    event: CarrierEvent,
  ): { outcome: 'APPLIED'; orderEvents: OrderEvent[] } | { outcome: 'STALE' | 'IGNORED' } {
    if (event.parcelStatus === null || event.parcelStatus === 'CANCELLED' || shipment.state === 'CANCELLED') return { outcome: 'IGNORED' };
    if (shipment.lastEventAt && event.occurredAt < shipment.lastEventAt) return { outcome: 'STALE' };
    if (event.parcelStatus === 'RTO_DELIVERED') {
      if (shipment.rtoArrivedAt) return { outcome: 'IGNORED' };
      // Back at the warehouse: staff inspect and receive it (restock or damaged). The RTO start may have been missed.
      if (order.status === 'RTO_INITIATED') return { outcome: 'APPLIED', orderEvents: [] };
      return canTransition(order.status, 'START_RTO') ? { outcome: 'APPLIED', orderEvents: ['START_RTO'] } : { outcome: 'IGNORED' };
    }
    const orderEvent = ORDER_EVENT_BY_PARCEL_STATUS[event.parcelStatus];
    return orderEvent && canTransition(order.status, orderEvent)
      ? { outcome: 'APPLIED', orderEvents: [orderEvent] }
      : { outcome: 'IGNORED' };
  }

  private async countRto(tx: Tx, phone: string): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO customer_rto_counts (phone_key, count, updated_at) VALUES (${nationalPhone(phone)}, 1, now())
      ON CONFLICT (brand_id, phone_key) DO UPDATE SET count = customer_rto_counts.count + 1, updated_at = now()`;
  }
}
