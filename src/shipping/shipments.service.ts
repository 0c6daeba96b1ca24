import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import type { Order, OrderItem, Prisma, Shipment } from '../generated/prisma/client.js';
import type { OrderStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { implementationOf } from '../common/ports.js';
import { ConflictError, DomainError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { IllegalTransitionError } from '../orders/order-state-machine.js';
import { OrderTransitionsService } from '../orders/order-transitions.service.js';
import { PaymentGateway } from '../orders/payment-gateway.js';
import { nationalPhone } from '../orders/dto/normalize.js';
import { KeyedMutex } from '../orders/keyed-mutex.js';
import type { BookedShipment, CarrierProvider, PackageSize, ShipmentRequest } from './carrier-provider.js';
import { Carriers } from './carriers.js';
import { ParcelEvents, type ParcelEventOutcome } from './parcel-events.service.js';
import type { ShippingEnvironment } from './shipping-config.js';
import type {
  BookingResultResponse,
  BookingResultsResponse,
  BookShipmentsDto,
  CarrierResponse,
  ManualBookingDto,
  ReceiveRtoDto,
  RecordRemittanceDto,
  RemittanceResultResponse,
  ReportParcelEventDto,
  ShipmentDetailResponse,
  ShipmentListItemResponse,
  ShipmentPageResponse,
  ShipmentResponse,
  ShipmentsQueryDto,
} from './dto/shipments.dto.js';

const DEFAULT_PACKAGE: PackageSize = { weightGrams: 500, lengthCm: 20, breadthCm: 15, heightCm: 10 };
/** Orders a parcel can be booked for: paid or confirmed (FULFILL), or fulfilled by hand without a live shipment. */
const BOOKABLE: ReadonlySet<OrderStatus> = new Set(['CONFIRMED', 'PAID', 'PARTIALLY_REFUNDED', 'FULFILLED']);
/** A booking in progress this long (the instance died mid-call) may be taken over, with the same carrier reference. */
const BOOKING_LEASE_MS = 120_000;
/** Carrier calls at once during a bulk booking. */
const BOOKING_CONCURRENCY = 4;
const LIVE_STATES = ['BOOKING', 'BOOKED', 'CLOSED'];

type ShipmentWithOrder = Shipment & { order: Pick<Order, 'number' | 'status' | 'customerName' | 'phone'> };

/**
 * Booking parcels with carriers (one order or a hundred in one call, each on its own), labels, cancellation,
 * receiving parcels returned to origin, COD remittances, and the NDR and RTO lists. A booking claims its shipment row
 * in one transaction, calls the carrier outside any transaction (with our shipment id as the carrier's order reference,
 * so a retry finds the same carrier order), and records the result with the order's FULFILL in another.
 */
@Injectable()
export class ShipmentsService implements OnModuleInit {
  private readonly logger = new Logger(ShipmentsService.name);
  /**
   * Booking transactions take turns in this process. Each one reads and inserts shipment rows, so concurrent ones
   * fail Serializable against each other nearly every time (measured: with one attempt, most of a 50-order bulk call
   * conflicted); a turn lasts milliseconds, while the carrier calls between the turns still run side by side.
   */
  private readonly bookingTurns = new KeyedMutex();
  private payments!: PaymentGateway;
  private readonly pollEveryMs: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly transitions: OrderTransitionsService,
    private readonly carriers: Carriers,
    private readonly parcelEvents: ParcelEvents,
    private readonly audit: AuditService,
    private readonly moduleRef: ModuleRef,
    config: ConfigService<ShippingEnvironment, true>,
  ) {
    this.pollEveryMs = config.get('SHIPPING_POLL_EVERY_SECONDS', { infer: true }) * 1000;
  }

  onModuleInit(): void {
    this.payments = implementationOf(this.moduleRef, PaymentGateway);
  }

  async carrierList(): Promise<CarrierResponse[]> {
    return Promise.all(
      this.carriers.all().map(async (c) => ({
        name: c.name,
        label: c.descriptor.label,
        enabled: await c.isEnabled(),
        manual: Boolean(c.descriptor.manual),
        webhookPath: c.descriptor.webhook ? `/shipping/webhooks/${c.descriptor.webhook.path}` : null,
      })),
    );
  }

  async book(dto: BookShipmentsDto, actor: Actor): Promise<BookingResultsResponse> {
    const carrier = await this.carriers.bookable(dto.carrier);
    if (carrier.descriptor.manual && (!dto.manual || dto.orderIds.length !== 1)) {
      throw new InvalidInputError('Validation failed: manual', [
        { field: 'manual', errors: ['the manual carrier books one order at a time, with manual { carrierName, trackingNumber }'] },
      ]);
    }
    if (!carrier.descriptor.manual && dto.manual) {
      throw new InvalidInputError('Validation failed: manual', [
        { field: 'manual', errors: [`manual is for the manual carrier, not ${carrier.name}`] },
      ]);
    }
    const pkg = dto.package ?? DEFAULT_PACKAGE;
    const results = new Array<BookingResultResponse>(dto.orderIds.length);
    let next = 0;
    const worker = async () => {
      while (next < dto.orderIds.length) {
        const i = next++;
        const orderId = dto.orderIds[i];
        try {
          results[i] = { orderId, ok: true, shipment: toShipmentResponse(await this.bookOne(carrier, orderId, pkg, dto.manual, actor)) };
        } catch (error) {
          if (!(error instanceof DomainError))
            this.logger.error(`Booking order ${orderId} with ${carrier.name} failed: ${(error as Error).message}`);
          const statusCode = error instanceof DomainError ? error.status : 500;
          const message = error instanceof DomainError ? error.message : 'Internal error; the booking can be retried';
          results[i] = { orderId, ok: false, error: { statusCode, message } };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BOOKING_CONCURRENCY, dto.orderIds.length) }, worker));
    const booked = results.filter((r) => r.ok).length;
    return { results, booked, failed: results.length - booked };
  }

  private async bookOne(
    carrier: CarrierProvider,
    orderId: string,
    pkg: PackageSize,
    manual: ManualBookingDto | undefined,
    actor: Actor,
  ): Promise<Shipment> {
    const { shipment, request } = await this.inTurn((tx) => this.claim(tx, carrier, orderId, pkg, manual));
    let booked: BookedShipment;
    try {
      booked = await carrier.book(request);
    } catch (error) {
      await this.prisma.shipment.update({
        where: { id: shipment.id },
        data: { state: 'FAILED', error: error instanceof Error ? error.message.slice(0, 500) : 'booking failed' },
      });
      throw error;
    }
    try {
      return await this.recordBooking(carrier, shipment.id, orderId, booked, actor);
    } catch (error) {
      // The order changed while the carrier booked it (cancelled, refunded): the parcel must not ship.
      if (!(error instanceof IllegalTransitionError)) throw error;
      await carrier.cancel({ carrierOrderId: booked.carrierOrderId ?? null, awb: booked.awb }).catch((cancelError: unknown) => {
        this.logger.error(
          `Order ${orderId} changed during booking; cancelling ${carrier.name} AWB ${booked.awb} failed: ${(cancelError as Error).message}`,
        );
      });
      await this.prisma.shipment.update({
        where: { id: shipment.id },
        data: { state: 'CANCELLED', awb: booked.awb, error: error.message },
      });
      throw error;
    }
  }

  private recordBooking(
    carrier: CarrierProvider,
    shipmentId: string,
    orderId: string,
    booked: BookedShipment,
    actor: Actor,
  ): Promise<Shipment> {
    return this.inTurn(async (tx) => {
      const order = await this.transitions.lockOrder(tx, orderId);
      const data = {
        carrier: booked.courierName,
        trackingNumber: booked.awb,
        trackingUrl: booked.trackingUrl ?? null,
        carrierStatus: 'BOOKED',
      };
      if (order.status === 'FULFILLED') {
        await tx.order.update({ where: { id: orderId }, data });
      } else {
        // FULFILL refuses an order cancelled or refunded while the carrier was called: the booking then rolls back.
        await this.transitions.apply(tx, order, 'FULFILL', { actor, reason: `booked with ${carrier.descriptor.label}`, data });
      }
      const updated = await tx.shipment.update({
        where: { id: shipmentId },
        data: {
          state: 'BOOKED',
          carrierOrderId: booked.carrierOrderId ?? null,
          carrierShipmentId: booked.carrierShipmentId ?? null,
          awb: booked.awb,
          courierName: booked.courierName,
          labelUrl: booked.labelUrl ?? null,
          trackingUrl: booked.trackingUrl ?? null,
          carrierStatus: 'BOOKED',
          error: null,
          nextPollAt: carrier.descriptor.polled ? new Date(Date.now() + this.pollEveryMs) : null,
        },
      });
      await this.audit.record(tx, {
        actor,
        action: 'shipment.booked',
        entityType: 'order',
        entityId: orderId,
        after: { shipmentId, carrier: carrier.name, awb: booked.awb, courier: booked.courierName },
      });
      return updated;
    });
  }

  private inTurn<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.bookingTurns.runExclusive(['booking'], () => this.prisma.serializable(work));
  }

  /** Under the order lock: checks the order can ship and claims (or takes over, or retries) its shipment row. */
  private async claim(
    tx: Tx,
    carrier: CarrierProvider,
    orderId: string,
    pkg: PackageSize,
    manual: ManualBookingDto | undefined,
  ): Promise<{ shipment: Shipment; request: ShipmentRequest }> {
    const order = await this.transitions.lockOrder(tx, orderId);
    if (!BOOKABLE.has(order.status)) {
      throw new ConflictError(`Order is ${order.status}; a parcel is booked for confirmed or paid orders`, { currentStatus: order.status });
    }
    const existing = await tx.shipment.findMany({ where: { orderId }, orderBy: { createdAt: 'desc' } });
    const live = existing.find((s) => LIVE_STATES.includes(s.state));
    if (live && live.state !== 'BOOKING')
      throw new ConflictError(`Order already has a ${live.carrier} shipment (AWB ${live.awb})`, { shipmentId: live.id });
    if (live && live.updatedAt.getTime() > Date.now() - BOOKING_LEASE_MS) throw new ConflictError('The order is being booked right now');
    const codAmountMinor = this.payments.collectsOnDelivery(order.paymentMethod) ? order.totalMinor : 0;
    const fields = {
      state: 'BOOKING',
      codAmountMinor,
      currency: order.currency,
      weightGrams: pkg.weightGrams,
      lengthCm: pkg.lengthCm,
      breadthCm: pkg.breadthCm,
      heightCm: pkg.heightCm,
      error: null,
    };
    // A stale claim, or an earlier failed booking with the same carrier that got no AWB, keeps its id: the carrier
    // reference stays the same, so the carrier does not get a second order.
    const reusable = live ?? existing.find((s) => s.state === 'FAILED' && s.carrier === carrier.name && !s.awb);
    const shipment = reusable
      ? await tx.shipment.update({ where: { id: reusable.id }, data: { ...fields, updatedAt: new Date() } })
      : await tx.shipment.create({ data: { id: randomUUID(), orderId, carrier: carrier.name, ...fields } });
    return { shipment, request: this.request(shipment.id, order, codAmountMinor, pkg, manual) };
  }

  private request(
    shipmentId: string,
    order: Order & { items: OrderItem[] },
    codAmountMinor: number,
    pkg: PackageSize,
    manual?: ManualBookingDto,
  ): ShipmentRequest {
    const address = order.shippingAddress as {
      line1: string;
      line2?: string;
      city: string;
      state?: string;
      postalCode: string;
      country: string;
    };
    return {
      shipmentId,
      orderNumber: order.number,
      orderedAt: order.createdAt,
      customer: { name: order.customerName, phone: order.phone, email: order.email },
      address,
      items: order.items.map((i) => ({
        sku: i.sku,
        name: i.variantName ? `${i.productName} (${i.variantName})` : i.productName,
        quantity: i.quantity,
        unitPriceMinor: i.unitPriceMinor,
      })),
      totalMinor: order.totalMinor,
      currency: order.currency,
      codAmountMinor,
      package: pkg,
      ...(manual && { manual }),
    };
  }

  /** The label URL, stored at booking; asked of the carrier again when it had none then. */
  async label(id: string): Promise<string> {
    const shipment = await this.find(id);
    if (shipment.labelUrl) return shipment.labelUrl;
    if (shipment.state !== 'BOOKED' || !shipment.awb) throw new ConflictError(`The shipment is ${shipment.state}; it has no label`);
    const labelUrl = await this.carriers.get(shipment.carrier).label({ carrierShipmentId: shipment.carrierShipmentId, awb: shipment.awb });
    if (!labelUrl) throw new NotFoundError('Label');
    await this.prisma.shipment.update({ where: { id }, data: { labelUrl } });
    return labelUrl;
  }

  /**
   * Cancels a parcel the carrier has not picked up (the order is still FULFILLED). The order stays FULFILLED, ready to
   * be booked again (another carrier, another package), or handed over by hand.
   */
  async cancel(id: string, actor: Actor): Promise<ShipmentResponse> {
    const shipment = await this.find(id);
    const check = async (tx: Tx) => {
      const order = await this.transitions.lockOrder(tx, shipment.orderId);
      const current = await tx.shipment.findUniqueOrThrow({ where: { id } });
      if (current.state !== 'BOOKED' || order.status !== 'FULFILLED') {
        throw new ConflictError(
          `Only a booked parcel not yet picked up can be cancelled (shipment ${current.state}, order ${order.status})`,
        );
      }
      return current;
    };
    const current = await this.prisma.serializable(check);
    await this.carriers.get(current.carrier).cancel({ carrierOrderId: current.carrierOrderId, awb: current.awb ?? '' });
    const cancelled = await this.prisma.serializable(async (tx) => {
      await check(tx);
      await tx.order.update({
        where: { id: current.orderId },
        data: { carrier: null, trackingNumber: null, trackingUrl: null, carrierStatus: null },
      });
      const updated = await tx.shipment.update({
        where: { id },
        data: { state: 'CANCELLED', nextPollAt: null, carrierStatus: 'CANCELLED' },
      });
      await this.audit.record(tx, {
        actor,
        action: 'shipment.cancelled',
        entityType: 'order',
        entityId: current.orderId,
        before: { shipmentId: id, awb: current.awb },
      });
      return updated;
    });
    return toShipmentResponse(cancelled);
  }

  /** Staff report what a courier told them (the manual carrier's tracking, or a correction): the same path as webhooks. */
  async report(id: string, dto: ReportParcelEventDto, actor: Actor): Promise<{ outcome: ParcelEventOutcome; shipment: ShipmentResponse }> {
    const shipment = await this.find(id);
    if (!shipment.awb || !['BOOKED', 'CLOSED'].includes(shipment.state)) throw new ConflictError(`The shipment is ${shipment.state}`);
    const [outcome] = await this.parcelEvents.apply(
      shipment.carrier,
      [
        {
          eventId: `staff:${randomUUID()}`,
          awb: shipment.awb,
          parcelStatus: dto.status,
          carrierStatus: dto.status.replace(/_/g, ' '),
          ...(dto.reason && { reason: dto.reason }),
          occurredAt: dto.occurredAt ? new Date(dto.occurredAt) : new Date(),
          payload: { reportedBy: actor.id ?? null },
        },
      ],
      'staff',
      actor,
    );
    return { outcome, shipment: toShipmentResponse(await this.find(id)) };
  }

  /**
   * The parcel is back at the warehouse: its goods are restocked through the ledger, except what staff found damaged
   * (recorded with the reason, not restocked), and the order closes as RETURNED_TO_ORIGIN.
   */
  async receiveRto(id: string, dto: ReceiveRtoDto, actor: Actor): Promise<ShipmentResponse> {
    const shipment = await this.find(id);
    const updated = await this.prisma.serializable(async (tx) => {
      const order = await this.transitions.lockOrder(tx, shipment.orderId);
      const damaged = dto.damaged ?? [];
      const quantities = new Map(order.items.map((i) => [i.id, i.quantity]));
      const errors = damaged.flatMap((line, index) => {
        const ordered = quantities.get(line.orderItemId);
        if (ordered === undefined) return [{ field: `damaged.${index}.orderItemId`, errors: ['not an item of this order'] }];
        const total = damaged.filter((d) => d.orderItemId === line.orderItemId).reduce((sum, d) => sum + d.quantity, 0);
        return total > ordered ? [{ field: `damaged.${index}.quantity`, errors: [`at most ${ordered} of this item were shipped`] }] : [];
      });
      if (errors.length) throw new InvalidInputError(`Validation failed: ${errors.map((e) => e.field).join(', ')}`, errors);
      for (const line of damaged) quantities.set(line.orderItemId, (quantities.get(line.orderItemId) ?? 0) - line.quantity);
      const reason = damaged.length
        ? `returned to origin; damaged, not restocked: ${damaged.map((d) => `${d.quantity} × ${d.orderItemId} (${d.reason})`).join('; ')}`
        : 'returned to origin; restocked';
      await this.transitions.apply(tx, order, 'RECEIVE_RTO', { actor, reason, quantities });
      return tx.shipment.update({
        where: { id },
        data: {
          state: 'CLOSED',
          nextPollAt: null,
          rtoArrivedAt: shipment.rtoArrivedAt ?? new Date(),
          rtoDamaged: damaged.length ? (damaged as unknown as Prisma.InputJsonValue) : undefined,
        },
      });
    });
    return toShipmentResponse(updated);
  }

  /** A carrier's COD remittance (its report, line by line): recorded on each order's cash capture, once. */
  async recordRemittance(dto: RecordRemittanceDto, actor: Actor): Promise<RemittanceResultResponse> {
    const remittedAt = dto.remittedAt ? new Date(dto.remittedAt) : new Date();
    const lines = [];
    for (const line of dto.lines) {
      const outcome = await this.prisma.serializable(async (tx) => {
        const shipment = await tx.shipment.findFirst({ where: { carrier: dto.carrier, awb: line.awb } });
        if (!shipment) return 'unknown_awb' as const;
        const order = await this.transitions.lockOrder(tx, shipment.orderId);
        return this.payments.remitted(
          tx,
          order,
          { amountMinor: line.amountMinor, currency: shipment.currency, reference: dto.reference, remittedAt },
          actor,
        );
      });
      lines.push({ awb: line.awb, outcome });
    }
    return { lines };
  }

  async list(query: ShipmentsQueryDto): Promise<ShipmentPageResponse> {
    const orderStatus: Prisma.ShipmentWhereInput =
      query.view === 'ndr'
        ? { state: 'BOOKED', order: { status: 'DELIVERY_FAILED' } }
        : query.view === 'rto'
          ? { order: { status: { in: ['RTO_INITIATED', 'RETURNED_TO_ORIGIN'] } }, state: { in: ['BOOKED', 'CLOSED'] } }
          : {};
    const where: Prisma.ShipmentWhereInput = { ...orderStatus, ...(query.orderId && { orderId: query.orderId }) };
    const [rows, total] = await Promise.all([
      this.prisma.shipment.findMany({
        where,
        orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
        skip: (query.page - 1) * query.limit,
        take: query.limit,
        include: { order: { select: { number: true, status: true, customerName: true, phone: true } } },
      }),
      this.prisma.shipment.count({ where }),
    ]);
    const counts = await this.rtoCounts(rows.map((r) => r.order.phone));
    return { items: rows.map((r) => toListItem(r, counts)), page: query.page, limit: query.limit, total };
  }

  async detail(id: string): Promise<ShipmentDetailResponse> {
    const row = await this.prisma.shipment.findUnique({
      where: { id },
      include: {
        order: { select: { number: true, status: true, customerName: true, phone: true } },
        events: { orderBy: [{ occurredAt: 'asc' }, { receivedAt: 'asc' }] },
      },
    });
    if (!row) throw new NotFoundError('Shipment', id);
    const counts = await this.rtoCounts([row.order.phone]);
    return {
      ...toListItem(row, counts),
      events: row.events.map((e) => ({
        carrierEventId: e.carrierEventId,
        parcelStatus: e.parcelStatus,
        carrierStatus: e.carrierStatus,
        reason: e.reason,
        source: e.source,
        outcome: e.outcome,
        occurredAt: e.occurredAt,
        receivedAt: e.receivedAt,
      })),
    };
  }

  /** Parcels returned to origin for a phone (any format: its last 10 digits count). */
  async customerRto(phone: string): Promise<{ phone: string; rtoCount: number }> {
    const key = nationalPhone(phone);
    const row = await this.prisma.customerRtoCount.findFirst({ where: { phoneKey: key } });
    return { phone: key, rtoCount: row?.count ?? 0 };
  }

  private async rtoCounts(phones: string[]): Promise<Map<string, number>> {
    const keys = [...new Set(phones.map(nationalPhone))];
    const rows = await this.prisma.customerRtoCount.findMany({ where: { phoneKey: { in: keys } } });
    return new Map(rows.map((r) => [r.phoneKey, r.count]));
  }

  private async find(id: string): Promise<Shipment> {
    const shipment = await this.prisma.shipment.findUnique({ where: { id } });
    if (!shipment) throw new NotFoundError('Shipment', id);
    return shipment;
  }
}

export function toShipmentResponse(s: Shipment): ShipmentResponse {
  return {
    id: s.id,
    orderId: s.orderId,
    carrier: s.carrier,
    state: s.state,
    awb: s.awb,
    courierName: s.courierName,
    labelUrl: s.labelUrl,
    trackingUrl: s.trackingUrl,
    carrierStatus: s.carrierStatus,
    codAmountMinor: s.codAmountMinor,
    currency: s.currency,
    weightGrams: s.weightGrams,
    ndrAttempts: s.ndrAttempts,
    ndrReason: s.ndrReason,
    rtoArrivedAt: s.rtoArrivedAt,
    rtoDamaged: s.rtoDamaged,
    error: s.error,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function toListItem(row: ShipmentWithOrder, counts: Map<string, number>): ShipmentListItemResponse {
  return {
    ...toShipmentResponse(row),
    orderNumber: row.order.number,
    orderStatus: row.order.status,
    customerName: row.order.customerName,
    phone: row.order.phone,
    customerRtoCount: counts.get(nationalPhone(row.order.phone)) ?? 0,
  };
}
