import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { InventoryService } from '../inventory/inventory.service.js';
import { canTransition, ORDER_STATUSES } from '../orders/order-state-machine.js';
import type { OverviewQueryDto, OverviewResponse } from './dto/overview.dto.js';

/** What needs attention today, each figure read from where its rule lives (state machine, money views, inventory). */
@Injectable()
export class OverviewService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly inventory: InventoryService,
  ) {}

  async get(query: OverviewQueryDto): Promise<OverviewResponse> {
    const since = query.since ? new Date(query.since) : startOfUtcDay();
    const fulfillable = ORDER_STATUSES.filter((status) => canTransition(status, 'FULFILL'));
    const [ordersToday, revenue, pendingFulfilment, lowStock, failedDeliveries] = await Promise.all([
      this.prisma.order.count({ where: { createdAt: { gte: since } } }),
      this.prisma.$queryRaw<{ currency: string; amount_minor: bigint }[]>`
        SELECT currency, SUM(captured_minor)::bigint AS amount_minor FROM capture_balances
        WHERE applied AND captured_at >= ${since} GROUP BY currency ORDER BY currency`,
      this.prisma.order.count({ where: { status: { in: fulfillable } } }),
      this.inventory.list({ lowStock: true, page: 1, limit: 1 }).then((page) => page.total),
      this.prisma.outboxMessage.count({ where: { status: 'FAILED' } }),
    ]);
    return {
      since,
      ordersToday,
      revenueToday: revenue.map((r) => ({ currency: r.currency.trim(), amountMinor: Number(r.amount_minor) })),
      pendingFulfilment,
      lowStock,
      failedDeliveries,
    };
  }
}

function startOfUtcDay(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
