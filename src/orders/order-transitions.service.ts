import { Injectable } from '@nestjs/common';
import type { Order, OrderItem } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import { StockLedger, type StockMovementInput } from '../inventory/stock-ledger.js';
import { ConflictError, NotFoundError } from '../common/errors/domain-errors.js';
import type { Actor } from '../common/actor.js';
import { transition, type OrderEvent, type Transition } from './order-state-machine.js';

export interface TransitionOptions {
  actor: Actor;
  reason?: string;
  /** restock only these quantities (returns); default: every item in full. */
  quantities?: Map<string, number>;
  /** extra columns to set on the order in the same UPDATE (carrier, tracking number, needsReview...). */
  data?: Partial<Pick<Order, 'carrier' | 'trackingNumber' | 'needsReview'>>;
}

export class InsufficientStockError extends ConflictError {
  constructor(lines: { variantId: string; sku?: string; requested: number; available: number }[]) {
    super(`Not enough stock for ${lines.length} line(s)`, { lines });
  }
}

export type LockedOrder = Order & { items: OrderItem[] };

/**
 * Applies state-machine events to orders inside the caller's transaction: locks the order row, asks the pure
 * transition table what happens, moves stock through the ledger, updates the order and writes status history and
 * audit — all or nothing with the caller's transaction.
 */
@Injectable()
export class OrderTransitionsService {
  constructor(private readonly ledger: StockLedger, private readonly audit: AuditService) {}

  /** SELECT ... FOR UPDATE on the order row, then its items. */
  async lockOrder(tx: Tx, orderId: string): Promise<LockedOrder> {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM orders WHERE id = ${orderId}::uuid FOR UPDATE`;
    if (!locked.length) throw new NotFoundError('Order', orderId);
    return tx.order.findUniqueOrThrow({ where: { id: orderId }, include: { items: true } });
  }

  async apply(tx: Tx, orderOrId: string | LockedOrder, event: OrderEvent, options: TransitionOptions): Promise<{ order: LockedOrder; transition: Transition }> {
    const order = typeof orderOrId === 'string' ? await this.lockOrder(tx, orderOrId) : orderOrId;
    const t = transition(order, event);
    await this.applyStock(tx, order, t, options);
    const leavesReservation = t.from === 'PAYMENT_PENDING' || t.from === 'CREATED';
    const updated = await tx.order.update({
      where: { id: order.id },
      data: { status: t.to, ...(leavesReservation && t.to !== t.from && { reservationExpiresAt: null }), ...options.data },
      include: { items: true },
    });
    await tx.orderStatusHistory.create({
      data: { orderId: order.id, fromStatus: t.from, toStatus: t.to, event, reason: options.reason ?? null, actorType: options.actor.type, actorId: options.actor.id ?? null },
    });
    await this.audit.record(tx, {
      actor: options.actor, action: `order.${event.toLowerCase()}`, entityType: 'order', entityId: order.id,
      before: { status: t.from }, after: { status: t.to, reason: options.reason, ...options.data },
    });
    return { order: updated, transition: t };
  }

  private async applyStock(tx: Tx, order: LockedOrder, t: Transition, options: TransitionOptions): Promise<void> {
    if (t.stock === 'none') return;
    const base = { orderId: order.id, actorId: options.actor.id, reason: `${t.event.toLowerCase()} ${order.number}` };
    const quantityOf = (item: OrderItem) => options.quantities?.get(item.id) ?? (options.quantities ? 0 : item.quantity);
    const lines = order.items.map((item) => ({ item, quantity: quantityOf(item) })).filter((l) => l.quantity > 0);
    const levels = await this.ledger.lock(tx, lines.map((l) => l.item.variantId));
    let moves: StockMovementInput[];
    switch (t.stock) {
      case 'sellReserved':
        moves = lines.map(({ item, quantity }) => ({ ...base, variantId: item.variantId, kind: 'SALE', onHandDelta: -quantity, reservedDelta: -quantity }));
        break;
      case 'releaseReserved':
        moves = lines.map(({ item, quantity }) => ({ ...base, variantId: item.variantId, kind: 'RELEASE', onHandDelta: 0, reservedDelta: -quantity }));
        break;
      case 'restock':
        moves = lines.map(({ item, quantity }) => ({ ...base, variantId: item.variantId, kind: 'RESTOCK', onHandDelta: quantity, reservedDelta: 0 }));
        break;
      case 'sellAvailable': {
        const demand = new Map<string, number>();
        for (const { item, quantity } of lines) demand.set(item.variantId, (demand.get(item.variantId) ?? 0) + quantity);
        const short = [...demand].flatMap(([variantId, requested]) => {
          const level = levels.get(variantId);
          const available = level ? level.onHand - level.reserved : 0;
          return available < requested ? [{ variantId, requested, available }] : [];
        });
        if (short.length) throw new InsufficientStockError(short);
        moves = lines.map(({ item, quantity }) => ({ ...base, variantId: item.variantId, kind: 'SALE', onHandDelta: -quantity, reservedDelta: 0 }));
        break;
      }
    }
    await this.ledger.apply(tx, moves);
  }
}
