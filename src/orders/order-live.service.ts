import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PrismaService } from '../prisma/prisma.service.js';
import { NotFoundError } from '../common/errors/domain-errors.js';
import type { AuthUser } from '../common/http/access.js';
import { LiveEvents } from '../live/live-events.service.js';
import { LiveStreams } from '../live/live-streams.service.js';
import type { SseStream } from '../live/sse-stream.js';
import type { OrderChange } from '../live/live-channels.js';
import { canViewOrder, type OrderViewer } from './order-access.js';

const frame = (change: OrderChange) => `event: order\ndata: ${JSON.stringify(change)}\n\n`;
const toChange = (o: { id: string; number: string; status: string; updatedAt: Date }): OrderChange => ({
  id: o.id,
  number: o.number,
  status: o.status,
  updatedAt: o.updatedAt.toISOString(),
});

/**
 * Live order changes. Staff (GET /live/orders) hear of every order created or changed; a customer, or a guest with the
 * order token, hears of one order (GET /live/orders/:id) — the payment page turning paid. Events carry no personal data:
 * `order` {id, number, status, updatedAt}; readers fetch the order for the rest.
 */
@Injectable()
export class OrderLive {
  private readonly staff = new Set<SseStream>();
  private readonly watchers = new Map<string, Set<SseStream>>();

  constructor(
    private readonly prisma: PrismaService,
    live: LiveEvents,
    private readonly streams: LiveStreams,
  ) {
    live.subscribe('orders', (changes) => {
      if (this.staff.size) {
        const text = changes.map(frame).join('');
        for (const stream of this.staff) stream.write(text);
      }
      for (const change of changes) for (const stream of this.watchers.get(change.id) ?? []) stream.write(frame(change));
    });
    live.onResync(() => void this.resync());
  }

  /** Every order change, for staff. No snapshot: after a `resync` event, read the list again. */
  watchAll(req: Request, res: Response, user: AuthUser): void {
    const stream = this.streams.open(req, res, { expiresAt: user.tokenExpiresAt });
    this.staff.add(stream);
    stream.onClose(() => this.staff.delete(stream));
  }

  /** One order's changes, starting with its current state; 404 for anyone who may not see it. */
  async watchOne(orderId: string, viewer: OrderViewer, req: Request, res: Response): Promise<void> {
    const order = await this.prisma.order.findUnique({ where: { id: orderId }, select: { userId: true, guestTokenHash: true } });
    if (!order || !canViewOrder(order, viewer)) throw new NotFoundError('Order', orderId);
    const stream = this.streams.open(req, res, { expiresAt: viewer.user?.tokenExpiresAt });
    let set = this.watchers.get(orderId);
    if (!set) this.watchers.set(orderId, (set = new Set()));
    set.add(stream);
    stream.onClose(() => {
      set.delete(stream);
      if (!set.size && this.watchers.get(orderId) === set) this.watchers.delete(orderId);
    });
    // Read after subscribing: a change committed meanwhile is in this snapshot or arrives after it.
    await this.sendCurrent([orderId]);
  }

  private async resync(): Promise<void> {
    for (const stream of this.staff) stream.send('resync', {});
    await this.sendCurrent([...this.watchers.keys()]);
  }

  private async sendCurrent(orderIds: string[]): Promise<void> {
    if (!orderIds.length) return;
    const orders = await this.prisma.order
      .findMany({ where: { id: { in: orderIds } }, select: { id: true, number: true, status: true, updatedAt: true } })
      .catch(() => []);
    for (const order of orders) for (const stream of this.watchers.get(order.id) ?? []) stream.write(frame(toChange(order)));
  }
}
