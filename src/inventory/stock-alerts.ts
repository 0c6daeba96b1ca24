import type { Tx } from '../prisma/prisma.service.js';

/** A stock level that crossed a line brands want to hear about (announced once per crossing, with hysteresis). */
export interface StockAnnouncement {
  kind: 'low_stock' | 'out_of_stock' | 'back_in_stock';
  variant: { id: string; sku: string; name: string; productId: string; productName: string };
  onHand: number;
  reserved: number;
  available: number;
  threshold: number;
}

/**
 * Where the StockLedger sends its alerts, inside the transaction that moved the stock: a port the outbox implements
 * (inventory never imports it). With no implementation in the app, alerts go nowhere.
 */
export abstract class StockAlerts {
  abstract announce(tx: Tx, announcements: StockAnnouncement[]): Promise<void>;
}
