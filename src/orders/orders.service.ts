import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Order, OrderItem, Prisma } from '../generated/prisma/client.js';
import type { OrderStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { escapeLike } from '../prisma/like-pattern.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, DomainError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { UUID_PATTERN } from '../common/uuid.js';
import { implementationOf } from '../common/ports.js';
import { PaymentGateway } from './payment-gateway.js';
import { OrderTransitionsService } from './order-transitions.service.js';
import { canViewOrder, type OrderViewer } from './order-access.js';
import { toOrderResponse } from './order-response.js';
import { normalizeOrderNumber, PHONE_FORMAT, stripPhone } from './dto/normalize.js';
import type {
  AdminOrdersQueryDto,
  BulkFulfillDto,
  BulkFulfillResponse,
  BulkFulfillResult,
  OrderFilterDto,
  FulfillOrderDto,
  LookupOrderDto,
  OrderHistoryEntryResponse,
  OrderPageResponse,
  OrderResponse,
  PageQueryDto,
} from './dto/order.dto.js';

/** Until it is paid (a cash-on-delivery order: until it ships) a customer may cancel; after that only staff, who refund. */
const CUSTOMER_CANCELLABLE: ReadonlySet<OrderStatus> = new Set(['CREATED', 'PAYMENT_PENDING', 'CONFIRMED']);

/** Reading orders, and the staff and customer actions on them (each one state-machine event in its own transaction). */
@Injectable()
export class OrdersService implements OnModuleInit {
  private payments!: PaymentGateway;

  constructor(
    private readonly prisma: PrismaService,
    private readonly transitions: OrderTransitionsService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.payments = implementationOf(this.moduleRef, PaymentGateway);
  }

  /** The order, if the viewer may see it; anyone else gets 404, as if it did not exist. */
  async get(id: string, viewer: OrderViewer): Promise<OrderResponse> {
    const order = await this.prisma.order.findUnique({ where: { id }, include: { items: true } });
    if (!order || !canViewOrder(order, viewer)) throw new NotFoundError('Order', id);
    return toOrderResponse(order);
  }

  async history(id: string, viewer: OrderViewer): Promise<OrderHistoryEntryResponse[]> {
    const order = await this.prisma.order.findUnique({ where: { id }, select: { userId: true, guestTokenHash: true } });
    if (!order || !canViewOrder(order, viewer)) throw new NotFoundError('Order', id);
    const rows = await this.prisma.orderStatusHistory.findMany({ where: { orderId: id }, orderBy: { id: 'asc' } });
    const admin = viewer.user?.role === 'ADMIN';
    return rows.map((r) => ({
      fromStatus: r.fromStatus,
      toStatus: r.toStatus,
      event: r.event,
      reason: r.reason,
      actorType: r.actorType,
      ...(admin && { actorId: r.actorId }),
      createdAt: r.createdAt,
    }));
  }

  async listMine(userId: string, page: PageQueryDto): Promise<OrderPageResponse> {
    return this.page({ userId }, page);
  }

  /**
   * Staff search: by status, payment method, creation date range, customer, and `q` = order number, email, phone or
   * name. With `cursor` it pages by keyset ((created_at, id) below the cursor's), which the (brand_id, created_at, id)
   * index serves at any depth — per status its partial index for that status, per payment method the one led by it
   * (migration 20261222040000: under row-level security a condition on the status enum is no index condition); `page`
   * remains for offset paging near the top.
   */
  async list(query: AdminOrdersQueryDto): Promise<OrderPageResponse> {
    const where = orderFilter(query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const [rows, total] = await Promise.all([
      this.prisma.order.findMany({
        where: after ? { AND: [where, olderThan(after)] } : where,
        orderBy: NEWEST_FIRST,
        ...(after ? {} : { skip: (query.page - 1) * query.limit }),
        take: query.limit + 1,
        include: { items: true },
      }),
      // Counting stops past COUNT_LIMIT: an exact count of 100k rows would cost more than the page itself.
      this.prisma.order.count({ where, orderBy: NEWEST_FIRST, take: COUNT_LIMIT + 1 }),
    ]);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map((o) => toOrderResponse(o)),
      page: after ? 0 : query.page,
      limit: query.limit,
      total: Math.min(total, COUNT_LIMIT),
      totalCapped: total > COUNT_LIMIT,
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }

  /** Every order the filter matches, newest first, read in keyset batches (for the CSV export: memory stays flat). */
  async *scan(filter: OrderFilterDto, batchSize = 500): AsyncGenerator<(Order & { items: OrderItem[] })[]> {
    const where = orderFilter(filter);
    let after: OrderKey | undefined;
    for (;;) {
      const rows = await this.prisma.order.findMany({
        where: after ? { AND: [where, olderThan(after)] } : where,
        orderBy: NEWEST_FIRST,
        take: batchSize,
        include: { items: true },
      });
      if (rows.length) yield rows;
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1];
    }
  }

  /**
   * Fulfils many orders, each in its own transaction (one order that cannot be fulfilled does not hold back the
   * others): one result per order, in the order asked.
   */
  async bulkFulfill(dto: BulkFulfillDto, actor: Actor): Promise<BulkFulfillResponse> {
    const results: BulkFulfillResult[] = [];
    for (const orderId of dto.orderIds.map((id) => id.toLowerCase())) {
      try {
        results.push({ orderId, ok: true, order: await this.fulfill(orderId, actor, { carrier: dto.carrier }) });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results.push({ orderId, ok: false, error: { statusCode: error.status, message: error.message } });
      }
    }
    const fulfilled = results.filter((r) => r.ok).length;
    return { results, fulfilled, failed: results.length - fulfilled };
  }

  /** A guest finds their order by its number plus the email and/or phone given at checkout (each one given must match). */
  async lookup(dto: LookupOrderDto): Promise<OrderResponse> {
    const number = normalizeOrderNumber(dto.orderNumber);
    const order = number ? await this.prisma.order.findFirst({ where: { number }, include: { items: true } }) : null;
    const matches =
      order &&
      (dto.email === undefined || order.email?.toLowerCase() === dto.email) &&
      (dto.phone === undefined || order.phone === dto.phone);
    if (!order || !matches) throw new NotFoundError('Order');
    return toOrderResponse(order);
  }

  /**
   * Customers (and guests with the order token) cancel before payment; staff whenever the state machine allows.
   * Reserved stock is released (or, for a confirmed cash-on-delivery order, put back on the shelf) by the transition.
   */
  async cancel(id: string, viewer: OrderViewer, actor: Actor, reason?: string): Promise<OrderResponse> {
    const order = await this.prisma.serializable(async (tx) => {
      const locked = await this.transitions.lockVisible(tx, id, viewer);
      if (viewer.user?.role !== 'ADMIN' && !CUSTOMER_CANCELLABLE.has(locked.status)) {
        throw new ConflictError(
          `Order is ${locked.status}; CANCEL by the customer is not allowed once an order is paid or shipped (the shop can refund it)`,
          { currentStatus: locked.status, event: 'CANCEL' },
        );
      }
      if (locked.status === 'PAYMENT_PENDING' && (await this.hasAppliedCapture(tx, id))) {
        throw new ConflictError('A payment for this order has been captured and is being processed; it cannot be cancelled now', {
          currentStatus: locked.status,
          event: 'CANCEL',
        });
      }
      return (await this.transitions.apply(tx, locked, 'CANCEL', { actor, reason })).order;
    });
    return toOrderResponse(order);
  }

  async fulfill(id: string, actor: Actor, dto: FulfillOrderDto): Promise<OrderResponse> {
    const data = {
      ...(dto.carrier !== undefined && { carrier: dto.carrier }),
      ...(dto.trackingNumber !== undefined && { trackingNumber: dto.trackingNumber }),
    };
    const order = await this.prisma.serializable(async (tx) => (await this.transitions.apply(tx, id, 'FULFILL', { actor, data })).order);
    return toOrderResponse(order);
  }

  /** Delivery; for cash on delivery this is also when the cash is recorded, in the same transaction. */
  async deliver(id: string, actor: Actor): Promise<OrderResponse> {
    const order = await this.prisma.serializable(async (tx) => {
      const { order: delivered } = await this.transitions.apply(tx, id, 'DELIVER', { actor });
      await this.payments.delivered(tx, delivered, actor);
      return delivered;
    });
    return toOrderResponse(order);
  }

  /** Whether a capture paid for the order (the applied_captures rule). */
  private async hasAppliedCapture(tx: Tx, orderId: string): Promise<boolean> {
    const [row] = await tx.$queryRaw<
      { paid: boolean }[]
    >`SELECT EXISTS (SELECT 1 FROM applied_captures WHERE order_id = ${orderId}::uuid) AS paid`;
    return row.paid;
  }

  private async page(where: Prisma.OrderWhereInput, { page, limit }: PageQueryDto): Promise<OrderPageResponse> {
    const [rows, total] = await Promise.all([
      this.prisma.order.findMany({ where, orderBy: NEWEST_FIRST, skip: (page - 1) * limit, take: limit, include: { items: true } }),
      this.prisma.order.count({ where }),
    ]);
    return { items: rows.map((o) => toOrderResponse(o)), page, limit, total, totalCapped: false, nextCursor: null };
  }
}

const COUNT_LIMIT = 10_000;

const NEWEST_FIRST: Prisma.OrderOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'desc' }];

type OrderKey = Pick<Order, 'createdAt' | 'id'>;

/** The list's position as an opaque cursor: the (createdAt, id) of the last order shown. */
const encodeCursor = (order: OrderKey) => Buffer.from(`${order.createdAt.toISOString()}|${order.id}`).toString('base64url');

function decodeCursor(cursor: string): OrderKey {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at);
  if (!id || !UUID_PATTERN.test(id) || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) {
    throw new InvalidInputError('cursor is not a cursor this API gave out (pass nextCursor as it came)', [
      { field: 'cursor', errors: ['cursor must be a nextCursor from a previous page'] },
    ]);
  }
  return { createdAt, id };
}

/**
 * Orders after `key` in newest-first order. `created_at <= t` is the index condition (the scan starts at the cursor);
 * the OR only drops the ties already shown.
 */
const olderThan = ({ createdAt, id }: OrderKey): Prisma.OrderWhereInput => ({
  createdAt: { lte: createdAt },
  OR: [{ createdAt: { lt: createdAt } }, { id: { lt: id } }],
});

function orderFilter(query: OrderFilterDto): Prisma.OrderWhereInput {
  return {
    ...(query.status && { status: query.status }),
    ...(query.paymentMethod && { paymentMethod: query.paymentMethod }),
    ...(query.customerId && { userId: query.customerId }),
    ...((query.from || query.to) && {
      createdAt: { ...(query.from && { gte: new Date(query.from) }), ...(query.to && { lt: new Date(query.to) }) },
    }),
    ...(query.q && { OR: searchConditions(query.q) }),
  };
}

/** What an admin's search box matches: the order number, an exact email, a phone number (or its last digits), a name. */
function searchConditions(q: string): Prisma.OrderWhereInput[] {
  // Prisma passes contains to ILIKE as it is: % and _ would be wildcards ("%" would list every order).
  const conditions: Prisma.OrderWhereInput[] = [{ customerName: { contains: escapeLike(q), mode: 'insensitive' } }];
  const number = normalizeOrderNumber(q);
  if (number) conditions.push({ number });
  if (q.includes('@')) conditions.push({ email: q.toLowerCase() });
  const phone = stripPhone(q);
  if (PHONE_FORMAT.test(phone)) conditions.push({ phone }, { phone: { endsWith: phone.replace(/^\+/, '') } });
  return conditions;
}
