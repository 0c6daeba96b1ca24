import { Injectable } from '@nestjs/common';
import type { Return, ReturnItem } from '../generated/prisma/client.js';
import type { ReturnStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, InvalidInputError, NotFoundError, type FieldError } from '../common/errors/domain-errors.js';
import { OrderTransitionsService, type LockedOrder } from './order-transitions.service.js';
import { canViewOrder, type OrderViewer } from './order-access.js';

export interface ReturnLine {
  orderItemId: string;
  quantity: number;
}

export type ReturnWithItems = Return & { items: ReturnItem[] };

/**
 * Returns after fulfilment: the customer asks (REQUEST_RETURN), staff accept, receive the goods (RECEIVE_RETURN
 * restocks exactly the received quantities through the ledger) or reject (REJECT_RETURN); the money goes back through
 * a refund. One open return per order, because the order itself is RETURN_REQUESTED meanwhile (requests take the
 * order's row lock, so racing ones see it). What is left after a return may be returned later; across all returns
 * that are not rejected, never more than was bought.
 */
@Injectable()
export class ReturnsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transitions: OrderTransitionsService,
    private readonly audit: AuditService,
  ) {}

  async request(orderId: string, viewer: OrderViewer, lines: ReturnLine[], reason: string, actor: Actor): Promise<ReturnWithItems> {
    return this.prisma.serializable(async (tx) => {
      const order = await this.transitions.lockVisible(tx, orderId, viewer);
      const returnable = await this.returnableQuantities(tx, order);
      this.checkLines(lines, returnable);
      const created = await tx.return.create({
        data: { orderId, reason, items: { create: lines.map((l) => ({ orderItemId: l.orderItemId, quantity: l.quantity })) } },
        include: { items: true },
      });
      await this.transitions.apply(tx, order, 'REQUEST_RETURN', { actor, reason: `return ${created.id}: ${reason}` });
      await this.audit.record(tx, {
        actor,
        action: 'return.requested',
        entityType: 'order',
        entityId: orderId,
        after: { returnId: created.id, reason, items: lines },
      });
      return created;
    });
  }

  async accept(orderId: string, returnId: string, actor: Actor): Promise<ReturnWithItems> {
    return this.prisma.serializable(async (tx) => {
      await this.transitions.lockOrder(tx, orderId);
      const current = await this.findReturn(tx, orderId, returnId, ['REQUESTED']);
      return this.setStatus(tx, current, 'ACCEPTED', actor, {});
    });
  }

  /** Restocks what arrived: by default everything requested, or the given (smaller) quantities. */
  async receive(orderId: string, returnId: string, received: ReturnLine[] | undefined, actor: Actor): Promise<ReturnWithItems> {
    return this.prisma.serializable(async (tx) => {
      const order = await this.transitions.lockOrder(tx, orderId);
      const current = await this.findReturn(tx, orderId, returnId, ['ACCEPTED']);
      const requested = new Map(current.items.map((i) => [i.orderItemId, i.quantity]));
      const lines = received ?? current.items.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity }));
      this.checkLines(lines, requested);
      for (const item of current.items) {
        const quantity = lines.find((l) => l.orderItemId === item.orderItemId)?.quantity ?? 0;
        if (quantity !== item.quantity) await tx.returnItem.update({ where: { id: item.id }, data: { quantity } });
      }
      await tx.returnItem.deleteMany({ where: { returnId, quantity: 0 } });
      await this.transitions.apply(tx, order, 'RECEIVE_RETURN', {
        actor,
        reason: `return ${returnId} received`,
        quantities: new Map(lines.map((l) => [l.orderItemId, l.quantity])),
      });
      return this.setStatus(tx, current, 'RECEIVED', actor, {
        requested: current.items.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
        received: lines,
      });
    });
  }

  async reject(orderId: string, returnId: string, reason: string, actor: Actor): Promise<ReturnWithItems> {
    return this.prisma.serializable(async (tx) => {
      const order = await this.transitions.lockOrder(tx, orderId);
      const current = await this.findReturn(tx, orderId, returnId, ['REQUESTED', 'ACCEPTED']);
      // Goods of an earlier return came back: the order stays RETURNED.
      const received = await tx.return.count({ where: { orderId, status: 'RECEIVED' } });
      await this.transitions.apply(tx, order, received ? 'REJECT_FURTHER_RETURN' : 'REJECT_RETURN', {
        actor,
        reason: `return ${returnId} rejected: ${reason}`,
      });
      return this.setStatus(tx, current, 'REJECTED', actor, { reason });
    });
  }

  async list(orderId: string, viewer: OrderViewer): Promise<ReturnWithItems[]> {
    const order = await this.prisma.order.findUnique({ where: { id: orderId }, select: { id: true, userId: true, guestTokenHash: true } });
    if (!order || !canViewOrder(order, viewer)) throw new NotFoundError('Order', orderId);
    return this.prisma.return.findMany({ where: { orderId }, include: { items: true }, orderBy: { createdAt: 'asc' } });
  }

  /** Per order item: ordered quantity minus what open or completed returns already cover. */
  private async returnableQuantities(tx: Tx, order: LockedOrder): Promise<Map<string, number>> {
    const claimed = await tx.returnItem.groupBy({
      by: ['orderItemId'],
      where: { return: { orderId: order.id, status: { not: 'REJECTED' } } },
      _sum: { quantity: true },
    });
    const used = new Map(claimed.map((c) => [c.orderItemId, c._sum.quantity ?? 0]));
    return new Map(order.items.map((item) => [item.id, item.quantity - (used.get(item.id) ?? 0)]));
  }

  /** Checks the request body's `items` against what may be returned (errors name items.<index>.<field>). */
  private checkLines(lines: ReturnLine[], allowed: Map<string, number>): void {
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    lines.forEach((line, i) => {
      if (seen.has(line.orderItemId)) errors.push({ field: `items.${i}.orderItemId`, errors: ['appears more than once'] });
      seen.add(line.orderItemId);
      const max = allowed.get(line.orderItemId);
      if (max === undefined) errors.push({ field: `items.${i}.orderItemId`, errors: ['is not an item of this order or return'] });
      else if (line.quantity > max) errors.push({ field: `items.${i}.quantity`, errors: [`must not exceed ${max}`] });
    });
    if (errors.length) throw new InvalidInputError(`Invalid return lines: ${errors.map((e) => e.field).join(', ')}`, errors);
  }

  private async findReturn(tx: Tx, orderId: string, returnId: string, allowed: ReturnStatus[]): Promise<ReturnWithItems> {
    const found = await tx.return.findFirst({ where: { id: returnId, orderId }, include: { items: true } });
    if (!found) throw new NotFoundError('Return', returnId);
    if (!allowed.includes(found.status))
      throw new ConflictError(`Return is ${found.status}; expected ${allowed.join(' or ')}`, { currentStatus: found.status });
    return found;
  }

  private async setStatus(
    tx: Tx,
    current: ReturnWithItems,
    status: ReturnStatus,
    actor: Actor,
    details: Record<string, unknown>,
  ): Promise<ReturnWithItems> {
    const updated = await tx.return.update({ where: { id: current.id }, data: { status }, include: { items: true } });
    await this.audit.record(tx, {
      actor,
      action: `return.${status.toLowerCase()}`,
      entityType: 'order',
      entityId: current.orderId,
      before: { returnId: current.id, status: current.status },
      after: { returnId: current.id, status, ...details },
    });
    return updated;
  }
}
