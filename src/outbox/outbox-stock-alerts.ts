import { Injectable } from '@nestjs/common';
import type { Tx } from '../prisma/prisma.service.js';
import { StockAlerts, type StockAnnouncement } from '../inventory/stock-alerts.js';
import type { InventoryEventPayload } from './outbox-events.js';
import { OutboxService } from './outbox.service.js';

/** The StockLedger's alerts become inventory.* events, queued in the transaction that moved the stock. */
@Injectable()
export class OutboxStockAlerts extends StockAlerts {
  constructor(private readonly outbox: OutboxService) {
    super();
  }

  async announce(tx: Tx, announcements: StockAnnouncement[]): Promise<void> {
    await this.outbox.enqueueMany(
      tx,
      announcements.map(({ kind, ...level }) => {
        const payload: InventoryEventPayload = level;
        return { event: `inventory.${kind}`, aggregateId: level.variant.id, payload };
      }),
    );
  }
}
