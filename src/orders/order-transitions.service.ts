import { Injectable } from '@nestjs/common';
import { Prisma, type Order, type OrderItem } from '../generated/prisma/client.js';
import type { OrderStatus } from '../generated/prisma/enums.js';
import type { Tx } from '../prisma/prisma.service.js';
import { AuditService, type AuditEntry } from '../audit/audit.service.js';
import { StockLedger, type StockLevel, type StockMovementInput } from '../inventory/stock-ledger.js';
import { InsufficientStockError, shortages } from '../inventory/stock-shortage.js';
import { NotFoundError } from '../common/errors/domain-errors.js';
import type { Actor } from '../common/actor.js';
import { EVENT_TYPE_BY_ORDER_EVENT, OrderAnnouncements, type AnnouncedOrder } from './order-announcements.js';
import { MetricsService } from '../ops/metrics.service.js';
import { transition, type OrderEvent, type Transition } from './order-state-machine.js';
import { canViewOrder, type OrderViewer } from './order-access.js';
import { orderColumns, orderItemsColumn } from './order-row.js';
import { DropOrderClaims } from '../drops/drop-order-claims.js';
import type { WriteBatch } from '../prisma/write-batch.js';

export interface TransitionOptions {
  actor: Actor;
  reason?: string;
  /** restock only these quantities (returns); default: every item in full. */
  quantities?: Map<string, number>;
  /** extra columns to set on the order in the same UPDATE (carrier, tracking number, needsReview...). */
  data?: Partial<Pick<Order, 'carrier' | 'trackingNumber' | 'trackingUrl' | 'carrierStatus' | 'needsReview'>>;
}

export type LockedOrder = Order & { items: OrderItem[] };

/** The columns of TransitionOptions.data. */
const DATA_COLUMNS: Record<keyof NonNullable<TransitionOptions['data']>, string> = {
  carrier: 'carrier',
  trackingNumber: 'tracking_number',
  trackingUrl: 'tracking_url',
  carrierStatus: 'carrier_status',
  needsReview: 'needs_review',
};

/** The order fields the stock effects need. */
type StockOrder = Pick<Order, 'id' | 'number'> & { items: Pick<OrderItem, 'id' | 'variantId' | 'quantity'>[] };

/**
 * Applies state-machine events to orders inside the caller's transaction: locks the order row, asks the pure
 * transition table what happens, moves stock through the ledger, updates the order and writes status history and
 * audit — all or nothing with the caller's transaction.
 */
@Injectable()
export class OrderTransitionsService {
  constructor(
    private readonly ledger: StockLedger,
    private readonly audit: AuditService,
    private readonly announcements: OrderAnnouncements,
    private readonly metrics: MetricsService,
    private readonly dropClaims: DropOrderClaims,
  ) {}

  /** SELECT ... FOR UPDATE on the order row, read with its items in the same statement. */
  async lockOrder(tx: Tx, orderId: string): Promise<LockedOrder> {
    const [order] = await tx.$queryRaw<(LockedOrder | undefined)[]>`
      SELECT ${orderColumns('o')}, ${orderItemsColumn('o.id')} FROM orders o WHERE o.id = ${orderId}::uuid FOR UPDATE`;
    if (!order) throw new NotFoundError('Order', orderId);
    return order;
  }

  /** lockOrder for a customer, guest or admin acting on an order: one they may not see is a 404, like an unknown one. */
  async lockVisible(tx: Tx, orderId: string, viewer: OrderViewer): Promise<LockedOrder> {
    const locked = await this.lockOrder(tx, orderId);
    if (!canViewOrder(locked, viewer)) throw new NotFoundError('Order', orderId);
    return locked;
  }

  /**
   * The transition of one order, in three statements after the order lock: the stock movements (when the transition
   * moves any; a sale from available stock is checked under a ledger lock first), ONE statement that updates the
   * order and writes its history and audit rows, and the outbox insert of its announcement.
   */
  async apply(
    tx: Tx,
    orderOrId: string | LockedOrder,
    event: OrderEvent,
    options: TransitionOptions,
  ): Promise<{ order: LockedOrder; transition: Transition }> {
    const order = typeof orderOrId === 'string' ? await this.lockOrder(tx, orderOrId) : orderOrId;
    const t = transition(order, event);
    await this.applyStock(tx, [{ order, transition: t }], options);
    const [updated] = await tx.$queryRaw<Order[]>`
      WITH moved AS (${this.moveOrder(order.id, t, options, orderColumns('o'))}), ${this.records(t, options)}
      SELECT * FROM moved`;
    const moved = { ...updated, items: order.items };
    this.metrics.orderTransition(tx, t.from, t.to);
    await this.announce(tx, [{ order: moved, transition: t }], options);
    return { order: moved, transition: t };
  }

  /**
   * `apply` as part of the caller's one write statement (a webhook's): the order UPDATE with its history and audit rows
   * (CTEs moved, history, audit), the stock movements (ledger_*) and the announcement (m, d, outbox_rows) go in `batch`,
   * which the caller runs. What must come first is sent now: the availability check of a sale from available stock, and
   * for a transition that moves drop limits, its stock and the limits (in that order, as `apply` takes their locks).
   * Returns the order as it is once the batch ran (the caller's transaction holds its lock).
   */
  async applyIn(
    batch: WriteBatch,
    tx: Tx,
    order: LockedOrder,
    event: OrderEvent,
    options: TransitionOptions,
  ): Promise<{ order: LockedOrder; transition: Transition }> {
    const t = transition(order, event);
    const entry = [{ order, transition: t }];
    if (movesDropLimits(t)) await this.applyStock(tx, entry, options);
    else this.ledger.applyIn(batch, tx, this.stockMovements(order, t, options));
    batch.with('moved', this.moveOrder(order.id, t, options, Prisma.sql`o.id`));
    for (const [name, body] of this.recordCtes(t, options)) batch.with(name, body);
    const moved: LockedOrder = {
      ...order,
      status: t.to,
      updatedAt: new Date(),
      ...(leavesReservation(t) && { reservationExpiresAt: null }),
      ...options.data,
    };
    this.metrics.orderTransition(tx, t.from, t.to);
    const announced = EVENT_TYPE_BY_ORDER_EVENT[t.event];
    if (announced)
      this.announcements.announceIn(batch, [{ event: announced, order: moved, previousStatus: t.from, reason: options.reason }]);
    return { order: moved, transition: t };
  }

  /**
   * `apply` for many orders the caller has already locked (batch jobs), in a constant number of statements: one
   * ledger write (after an inventory lock when it sells from available stock), one UPDATE per target status, one history and one audit insert. The event is
   * checked against every order first; one illegal transition refuses the whole batch.
   */
  async applyMany(tx: Tx, orders: LockedOrder[], event: OrderEvent, options: TransitionOptions): Promise<Transition[]> {
    const entries = orders.map((order) => ({ order, transition: transition(order, event) }));
    if (!entries.length) return [];
    await this.applyStock(tx, entries, options);
    const groups = new Map<string, { to: OrderStatus; clearsReservation: boolean; ids: string[] }>();
    for (const { order, transition: t } of entries) {
      const groupKey = `${t.to}:${leavesReservation(t)}`;
      const group = groups.get(groupKey) ?? { to: t.to, clearsReservation: leavesReservation(t), ids: [] };
      group.ids.push(order.id);
      groups.set(groupKey, group);
    }
    for (const { to, clearsReservation, ids } of groups.values()) {
      await tx.order.updateMany({
        where: { id: { in: ids } },
        data: { status: to, ...(clearsReservation && { reservationExpiresAt: null }), ...options.data },
      });
    }
    await tx.orderStatusHistory.createMany({ data: entries.map(({ order, transition: t }) => this.historyEntry(order.id, t, options)) });
    for (const { transition: t } of entries) this.metrics.orderTransition(tx, t.from, t.to);
    await this.audit.recordMany(
      tx,
      entries.map(({ order, transition: t }) => this.auditEntry(order.id, t, options)),
    );
    await this.announce(
      tx,
      entries.map(({ order, transition: t }) => ({ order: { ...order, status: t.to, ...options.data }, transition: t })),
      options,
    );
    return entries.map((e) => e.transition);
  }

  /**
   * `applyMany` for a batch claimed by a query, set-based (batch jobs over thousands of orders): `claim` selects the ids
   * of orders in status `from` and locks them (FOR UPDATE ... SKIP LOCKED); ONE statement then moves them to the
   * event's status and writes their history and audit rows, and returns them with their items; the stock moves in one
   * ledger statement; the announcements go in one outbox insert. The transition is the state machine's, checked once
   * for `from` (the claim admits no other status). Every history and audit row is the one
   * `historyEntry`/`auditEntry` make (they differ only by order id). Returns how many orders moved.
   */
  async applyToClaimed(tx: Tx, from: OrderStatus, claim: Prisma.Sql, event: OrderEvent, options: TransitionOptions): Promise<number> {
    const t = transition({ status: from }, event);
    const orders = await tx.$queryRaw<(Omit<AnnouncedOrder, 'items'> & { items: StockOrder['items'] & AnnouncedOrder['items'] })[]>`
      WITH claimed AS (${claim}),
      moved AS (
        UPDATE orders o SET status = ${t.to}::"OrderStatus", updated_at = now()
          ${leavesReservation(t) ? Prisma.sql`, reservation_expires_at = NULL` : Prisma.empty}
        FROM claimed WHERE o.id = claimed.id AND o.status = ${from}::"OrderStatus"
        RETURNING ${orderColumns('o')}
      ), ${this.records(t, options)}
      SELECT m.*, ${orderItemsColumn('m.id')} FROM moved m`;
    if (!orders.length) return 0;
    // Stock released (or restocked) for the whole batch in one ledger statement (it locks the levels itself).
    await this.ledger.apply(
      tx,
      orders.flatMap((order) => this.stockMovements(order, t, options)),
    );
    await this.followDropLimits(tx, [{ ids: orders.map((o) => o.id), transition: t }]);
    this.metrics.orderTransition(tx, t.from, t.to, orders.length);
    await this.announce(
      tx,
      orders.map((order) => ({ order, transition: t })),
      options,
    );
    return orders.length;
  }

  /**
   * The CTEs that write a transition's status-history and audit rows for every order the CTE `moved` returns: the
   * rows `historyEntry` and `auditEntry` make, which differ only by order id.
   */
  private records(t: Transition, options: TransitionOptions): Prisma.Sql {
    return Prisma.join(
      this.recordCtes(t, options).map(([name, body]) => Prisma.sql`${Prisma.raw(name)} AS (${body})`),
      ', ',
    );
  }

  /** `records` as named CTE bodies (for a WriteBatch). */
  private recordCtes(t: Transition, options: TransitionOptions): [string, Prisma.Sql][] {
    const history = this.historyEntry('', t, options);
    const audit = this.audit.toRow(this.auditEntry('', t, options));
    return [
      [
        'history',
        Prisma.sql`
        INSERT INTO order_status_history (order_id, from_status, to_status, event, reason, actor_type, actor_id)
        SELECT id, ${history.fromStatus}::"OrderStatus", ${history.toStatus}::"OrderStatus", ${history.event}::text, ${history.reason}::text,
               ${history.actorType}::text, ${history.actorId}::text FROM moved`,
      ],
      [
        'audit',
        Prisma.sql`
        INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id, before, after, request_id)
        SELECT ${audit.actorType}::text, ${audit.actorId}::text, ${audit.action}::text, ${audit.entityType}::text, id::text, ${JSON.stringify(audit.before)}::jsonb,
               ${JSON.stringify(audit.after)}::jsonb, ${audit.requestId}::text FROM moved`,
      ],
    ];
  }

  /** The UPDATE that moves one order (status, reservation, TransitionOptions.data), returning `returning` of row o. */
  private moveOrder(orderId: string, t: Transition, options: TransitionOptions, returning: Prisma.Sql): Prisma.Sql {
    const changes = [
      ...(leavesReservation(t) ? [Prisma.sql`reservation_expires_at = NULL`] : []),
      ...Object.entries(options.data ?? {}).map(
        ([field, value]) => Prisma.sql`${Prisma.raw(DATA_COLUMNS[field as keyof typeof DATA_COLUMNS])} = ${value}`,
      ),
    ];
    return Prisma.sql`
        UPDATE orders o SET status = ${t.to}::"OrderStatus", updated_at = now()${changes.length ? Prisma.sql`, ${Prisma.join(changes)}` : Prisma.empty}
        WHERE o.id = ${orderId}::uuid
        RETURNING ${returning}`;
  }

  /**
   * The ledger movements a transition makes for an order (none for transitions without a stock effect). Checkout
   * uses this for the transition it applies inline to the order it is creating. For sellAvailable the caller must
   * have locked and checked availability (apply and applyMany do).
   */
  stockMovements(order: StockOrder, t: Transition, options: TransitionOptions): StockMovementInput[] {
    if (t.stock === 'none') return [];
    const base = { orderId: order.id, actorId: options.actor.id, reason: `${t.event.toLowerCase()} ${order.number}` };
    const quantityOf = (item: StockOrder['items'][number]) => options.quantities?.get(item.id) ?? (options.quantities ? 0 : item.quantity);
    const lines = order.items.map((item) => ({ variantId: item.variantId, quantity: quantityOf(item) })).filter((l) => l.quantity > 0);
    switch (t.stock) {
      case 'sellReserved':
        return lines.map(({ variantId, quantity }) => ({
          ...base,
          variantId,
          kind: 'SALE',
          onHandDelta: -quantity,
          reservedDelta: -quantity,
        }));
      case 'releaseReserved':
        return lines.map(({ variantId, quantity }) => ({ ...base, variantId, kind: 'RELEASE', onHandDelta: 0, reservedDelta: -quantity }));
      case 'restock':
        return lines.map(({ variantId, quantity }) => ({ ...base, variantId, kind: 'RESTOCK', onHandDelta: quantity, reservedDelta: 0 }));
      case 'sellAvailable':
        return lines.map(({ variantId, quantity }) => ({ ...base, variantId, kind: 'SALE', onHandDelta: -quantity, reservedDelta: 0 }));
    }
  }

  /** The status-history row of a transition. */
  historyEntry(orderId: string, t: Transition, options: TransitionOptions): Prisma.OrderStatusHistoryCreateManyInput {
    return {
      orderId,
      fromStatus: t.from,
      toStatus: t.to,
      event: t.event,
      reason: options.reason ?? null,
      actorType: options.actor.type,
      actorId: options.actor.id ?? null,
    };
  }

  /** The audit entry of a transition. */
  auditEntry(orderId: string, t: Transition, options: TransitionOptions): AuditEntry {
    return {
      actor: options.actor,
      action: `order.${t.event.toLowerCase()}`,
      entityType: 'order',
      entityId: orderId,
      before: { status: t.from },
      after: { status: t.to, reason: options.reason, ...options.data },
    };
  }

  /** Queues the transitions' events (order.paid, order.cancelled, ...) in the outbox: one INSERT for all of them. */
  private async announce(tx: Tx, entries: { order: AnnouncedOrder; transition: Transition }[], options: TransitionOptions): Promise<void> {
    await this.announcements.announce(
      tx,
      entries.flatMap(({ order, transition: t }) => {
        const event = EVENT_TYPE_BY_ORDER_EVENT[t.event];
        return event ? [{ event, order, previousStatus: t.from, reason: options.reason }] : [];
      }),
    );
  }

  private async applyStock(tx: Tx, entries: { order: LockedOrder; transition: Transition }[], options: TransitionOptions): Promise<void> {
    const perEntry = entries.map(({ order, transition: t }) => ({
      orderId: order.id,
      fromAvailable: t.stock === 'sellAvailable',
      moves: this.stockMovements(order, t, options),
    }));
    const moves = perEntry.flatMap((e) => e.moves);
    if (!moves.length) return;
    // A sale from available stock is checked under the lock first, then against the drop limits of its customers, before
    // anything is written (a late payment that fails either is refunded); every other movement only needs apply's own lock.
    const fromAvailable = perEntry.filter((e) => e.fromAvailable).flatMap((e) => e.moves);
    if (fromAvailable.length) {
      assertAvailable(
        fromAvailable,
        await this.ledger.lock(
          tx,
          moves.map((m) => m.variantId),
        ),
      );
      await this.dropClaims.assertCountable(
        tx,
        perEntry.filter((e) => e.fromAvailable).map((e) => e.orderId),
      );
    }
    await this.ledger.apply(tx, moves);
    await this.followDropLimits(
      tx,
      entries.map(({ order, transition: t }) => ({ ids: [order.id], transition: t })),
    );
  }

  /**
   * Drop limits count what customers keep: an order that ends with its goods back on the shelf before shipping
   * (cancelled, expired, fully refunded unshipped) gives its units back to the customer; a late payment that sells
   * them after all counts them again. Returns and parcels back to origin keep counting: those goods were sent.
   */
  private async followDropLimits(tx: Tx, entries: { ids: string[]; transition: Transition }[]): Promise<void> {
    const released = entries.filter((e) => givesBackDropLimits(e.transition)).flatMap((e) => e.ids);
    const resold = entries.filter((e) => e.transition.stock === 'sellAvailable').flatMap((e) => e.ids);
    if (released.length) await this.dropClaims.giveBack(tx, released);
    if (resold.length) await this.dropClaims.countAgain(tx, resold);
  }
}

/** The statuses in which an order ends without the customer getting its goods. */
const UNFULFILLED_ENDS = new Set<OrderStatus>(['CANCELLED', 'EXPIRED', 'REFUNDED']);

const givesBackDropLimits = (t: Transition) => (t.stock === 'releaseReserved' || t.stock === 'restock') && UNFULFILLED_ENDS.has(t.to);

/** A transition that moves drop purchase counters (followDropLimits), or checks availability first: not batchable. */
const movesDropLimits = (t: Transition) => givesBackDropLimits(t) || t.stock === 'sellAvailable';

/** Leaving CREATED or PAYMENT_PENDING ends the reservation (sold or released), so its expiry no longer applies. */
function leavesReservation(t: Transition): boolean {
  return (t.from === 'PAYMENT_PENDING' || t.from === 'CREATED') && t.to !== t.from;
}

/** A sale from available stock needs on hand − reserved ≥ the summed demand per variant. */
function assertAvailable(sales: StockMovementInput[], levels: Map<string, StockLevel>): void {
  const demand = new Map<string, { quantity: number }>();
  for (const m of sales) demand.set(m.variantId, { quantity: (demand.get(m.variantId)?.quantity ?? 0) - m.onHandDelta });
  const short = shortages(demand, levels);
  if (short.length) throw new InsufficientStockError(short);
}
