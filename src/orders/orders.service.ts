import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Prisma } from '../generated/prisma/client.js';
import type { OrderStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { likeContaining } from '../prisma/like-pattern.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, DomainError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { UUID_PATTERN } from '../common/uuid.js';
import { implementationOf } from '../common/ports.js';
import { PaymentGateway } from './payment-gateway.js';
import { OrderTransitionsService } from './order-transitions.service.js';
import { canViewOrder, type OrderViewer } from './order-access.js';
import { isoInstant, orderResponseJson, toOrderResponse } from './order-response.js';
import { orderColumns } from './order-row.js';
import type { CsvOrder } from './orders-csv.js';
import { ORDER_STATUSES } from './order-state-machine.js';
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
   * remains for offset paging near the top. One prepared statement sent straight to the pool (the brand's connection,
   * so row-level security scopes it): the page with its items, already in the response's shape, and the capped count.
   */
  async list(query: AdminOrdersQueryDto): Promise<OrderPageJson> {
    const where = orderFilter(query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const offset = after || query.page === 1 ? Prisma.empty : Prisma.sql`OFFSET ${(query.page - 1) * query.limit}`;
    // Counting stops past COUNT_LIMIT: an exact count of 100k rows would cost more than the page itself. A cursor
    // page repeats the count its first page made (the cursor carries it): the filter, and so the count, is the same.
    const carried = after?.count;
    const [row] = await this.prisma.direct.$queryRaw<
      { items: string; more: boolean; total: number | null; lastAt: string | null; lastId: string | null }[]
    >`
      WITH page AS (
        SELECT o.* FROM orders o WHERE ${where}${after ? Prisma.sql` AND ${olderThan(after)}` : Prisma.empty}
        ORDER BY o.created_at DESC, o.id DESC LIMIT ${Prisma.raw(String(query.limit + 1))} ${offset}
      ), shown AS (
        SELECT * FROM page ORDER BY created_at DESC, id DESC LIMIT ${Prisma.raw(String(query.limit))}
      ), last AS (
        SELECT ${Prisma.raw(isoInstant('created_at'))} AS at, id::text FROM shown ORDER BY created_at, id LIMIT 1
      )
      SELECT (SELECT coalesce(json_agg(${orderResponseJson('s')} ORDER BY s.created_at DESC, s.id DESC), '[]') FROM shown s)::text AS items,
             (SELECT count(*) FROM page) > ${Prisma.raw(String(query.limit))} AS more,
             ${
               !carried
                 ? Prisma.sql`(SELECT count(*)::int FROM (
                     SELECT 1 FROM orders o WHERE ${where} ORDER BY o.created_at DESC, o.id DESC LIMIT ${Prisma.raw(String(COUNT_LIMIT + 1))}
                   ) counted)`
                 : Prisma.sql`NULL::int`
             } AS total,
             (SELECT at FROM last) AS "lastAt", (SELECT id FROM last) AS "lastId"`;
    const count = carried ?? { total: Math.min(row.total ?? 0, COUNT_LIMIT), capped: (row.total ?? 0) > COUNT_LIMIT };
    const nextCursor = row.more && row.lastAt && row.lastId ? encodeCursor({ createdAt: row.lastAt, id: row.lastId, count }) : null;
    // The items are PostgreSQL's JSON text, already in the response's shape: sent as they are, not parsed and written
    // again (the page is tens of kilobytes). The keys are in OrderPageResponse's order.
    const page = after ? 0 : query.page;
    return {
      json: `{"items":${row.items},"page":${page},"limit":${query.limit},"total":${count.total},"totalCapped":${count.capped},"nextCursor":${JSON.stringify(nextCursor)}}`,
    };
  }

  /** Every order the filter matches, newest first, read in keyset batches (for the CSV export: memory stays flat). */
  async *scan(filter: OrderFilterDto, batchSize = 500): AsyncGenerator<CsvOrder[]> {
    const where = orderFilter(filter);
    let after: OrderKey | undefined;
    for (;;) {
      // Items as stored (checkout's cart order), as the list and GET /orders/:id show them.
      const rows = await this.prisma.direct.$queryRaw<CsvOrder[]>`
        SELECT ${orderColumns('o')},
               (SELECT coalesce(json_agg(json_build_object('quantity', i.quantity, 'sku', i.sku)), '[]') FROM order_items i WHERE i.order_id = o.id) AS items
        FROM orders o
        WHERE ${where}${after ? Prisma.sql` AND ${olderThan(after)}` : Prisma.empty}
        ORDER BY o.created_at DESC, o.id DESC LIMIT ${Prisma.raw(String(batchSize))}`;
      if (rows.length) yield rows;
      if (rows.length < batchSize) return;
      const last = rows[rows.length - 1];
      after = { createdAt: last.createdAt.toISOString(), id: last.id };
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

/** An OrderPageResponse as JSON text (the staff list sends PostgreSQL's JSON of the page as it is). */
export interface OrderPageJson {
  json: string;
}

const NEWEST_FIRST: Prisma.OrderOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'desc' }];

/**
 * A position in the newest-first list: the (createdAt, id) of an order, createdAt as its ISO string; in a cursor the
 * list gave out, also the count its first page made.
 */
interface OrderKey {
  createdAt: string;
  id: string;
  count?: { total: number; capped: boolean };
}

/** The list's position as an opaque cursor: the (createdAt, id) of the last order shown, and the first page's count. */
const encodeCursor = ({ createdAt, id, count }: Required<OrderKey>) =>
  Buffer.from(`${createdAt}|${id}|${count.total}|${count.capped ? 1 : 0}`).toString('base64url');

function decodeCursor(cursor: string): OrderKey {
  // A cursor of an earlier version holds only the position (its page counts again).
  const [at, id, total, capped] = Buffer.from(cursor, 'base64url').toString().split('|') as (string | undefined)[];
  const createdAt = new Date(at ?? '');
  const carried = total === undefined ? undefined : { total: Number(total), capped: capped === '1' };
  const validCount =
    !carried ||
    (Number.isInteger(carried.total) && carried.total >= 0 && carried.total <= COUNT_LIMIT && (capped === '0' || capped === '1'));
  if (!at || !id || !UUID_PATTERN.test(id) || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at || !validCount) {
    throw new InvalidInputError('cursor is not a cursor this API gave out (pass nextCursor as it came)', [
      { field: 'cursor', errors: ['cursor must be a nextCursor from a previous page'] },
    ]);
  }
  return { createdAt: at, id, ...(carried && { count: carried }) };
}

/**
 * Orders after `key` in newest-first order. `created_at <= t` is the index condition (the scan starts at the cursor);
 * the OR only drops the ties already shown.
 */
const olderThan = ({ createdAt, id }: OrderKey): Prisma.Sql =>
  Prisma.sql`o.created_at <= ${createdAt}::timestamptz AND (o.created_at < ${createdAt}::timestamptz OR o.id < ${id}::uuid)`;

/**
 * The staff filter as SQL conditions on `o` (the orders row). The status is written into the statement (a checked
 * enum value): each status tab is then its own prepared statement, planned with its partial index; a parameter would
 * leave the generic plan without one.
 */
function orderFilter(query: OrderFilterDto): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (query.status) {
    if (!ORDER_STATUSES.includes(query.status)) throw new Error(`Not an order status: ${query.status}`);
    conditions.push(Prisma.raw(`o.status = '${query.status}'`));
  }
  if (query.paymentMethod) conditions.push(Prisma.sql`o.payment_method = ${query.paymentMethod}`);
  if (query.customerId) conditions.push(Prisma.sql`o.user_id = ${query.customerId}::uuid`);
  // Read as JavaScript reads them (a time without an offset is local time), sent as UTC instants.
  if (query.from) conditions.push(Prisma.sql`o.created_at >= ${new Date(query.from)}::timestamptz`);
  if (query.to) conditions.push(Prisma.sql`o.created_at < ${new Date(query.to)}::timestamptz`);
  if (query.q) conditions.push(exactSearch(query.q) ?? Prisma.sql`(${Prisma.join(searchConditions(query.q), ' OR ')})`);
  return conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
}

/**
 * A search that can only mean one field — a whole order number (OL-000042), an email address, a full international
 * phone number (+91...) — is answered from that field's index alone. The name match cannot use an index under
 * row-level security (ILIKE is not leakproof: the brand's every order would be read and filtered), and no name holds
 * an email address or an order number.
 */
function exactSearch(q: string): Prisma.Sql | undefined {
  const text = q.trim();
  if (/^OL-\d+$/i.test(text)) return Prisma.sql`o.number = ${normalizeOrderNumber(text) ?? text.toUpperCase()}`;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return Prisma.sql`o.email = ${text.toLowerCase()}`;
  const phone = stripPhone(text);
  if (phone.startsWith('+') && PHONE_FORMAT.test(phone)) return Prisma.sql`o.phone = ${phone}`;
  return undefined;
}

/** What an admin's search box matches: the order number, an exact email, a phone number (or its last digits), a name. */
function searchConditions(q: string): Prisma.Sql[] {
  // ILIKE's wildcards in the text are escaped: "%" finds names with a percent sign, not every order.
  const conditions = [Prisma.sql`o.customer_name ILIKE ${likeContaining(q)}`];
  const number = normalizeOrderNumber(q);
  if (number) conditions.push(Prisma.sql`o.number = ${number}`);
  if (q.includes('@')) conditions.push(Prisma.sql`o.email = ${q.toLowerCase()}`);
  const phone = stripPhone(q);
  if (PHONE_FORMAT.test(phone)) conditions.push(Prisma.sql`o.phone = ${phone}`, Prisma.sql`o.phone LIKE ${`%${phone.replace(/^\+/, '')}`}`);
  return conditions;
}
