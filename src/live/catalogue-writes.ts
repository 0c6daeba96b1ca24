import { Injectable } from '@nestjs/common';
import { afterCommit } from '../prisma/after-commit.js';

type Listener = (productIds: string[]) => void;

/**
 * This instance's own catalogue writes (stock levels, products, variants), told to in-process listeners right after
 * the transaction commits — before the write's answer leaves, and before its NOTIFY comes back through LiveEvents. The
 * product read cache drops what the write changed here, so a client of this instance never reads a product older than
 * its own write; writes of other instances reach it through the notification. Listeners must be idempotent (every
 * write is heard twice: here and as a notification) and order-insensitive (this call and notifications interleave).
 */
@Injectable()
export class CatalogueWrites {
  private readonly listeners = new Set<Listener>();

  /** Registers `listener`; returns the unsubscribe function. */
  onCommitted(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Tells the listeners, once `tx` commits, that these products (their fields, variants or stock) changed. */
  changed(tx: object, productIds: Iterable<string>): void {
    const ids = [...new Set(productIds)];
    if (!ids.length || !this.listeners.size) return;
    afterCommit(tx, () => {
      for (const listener of this.listeners) listener(ids);
    });
  }
}
