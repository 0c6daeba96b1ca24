import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PrismaService } from '../prisma/prisma.service.js';
import { LiveEvents } from '../live/live-events.service.js';
import { LiveStreams } from '../live/live-streams.service.js';
import type { SseStream } from '../live/sse-stream.js';
import type { CatalogueChange, StockChange } from '../live/live-channels.js';
import { dropOf } from './drop-state.js';
import { findAvailability } from './product-views.js';

interface Watcher {
  stream: SseStream;
  /** The products this client shows; null: every product. */
  products: Set<string> | null;
}

/**
 * Stock changes are sent at most this often per stream, the latest value per variant winning: when a drop sells 300
 * units in a second to 5,000 watchers, each watcher gets a few writes, not 300.
 */
const FLUSH_INTERVAL_MS = 100;
const MAX_TIMER_MS = 2 ** 31 - 1;

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * The public live catalogue (GET /live/catalogue): available stock per variant and drop state per product, for the
 * storefront's grid and product pages.
 *
 * Events: `snapshot` on connect and after a missed-notification resync ({serverTime, products: [{productId, drop,
 * variants: [{variantId, available}]}]}); `stock` ({productId, variantId, available}); `product` ({productId,
 * updatedAt}: name, price, images, status or drop time changed — read the product again); `drop` ({productId, state,
 * opensAt}) at the moment a drop opens, so every page flips together whatever its clock says.
 */
@Injectable()
export class CatalogueLive implements OnModuleDestroy {
  private readonly everything = new Set<Watcher>();
  private readonly byProduct = new Map<string, Set<Watcher>>();
  private readonly pendingStock = new Map<string, StockChange>();
  private readonly pendingProducts = new Map<string, CatalogueChange>();
  private flushTimer?: NodeJS.Timeout;
  private readonly dropTimers = new Map<string, { opensAt: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly prisma: PrismaService,
    live: LiveEvents,
    private readonly streams: LiveStreams,
  ) {
    live.subscribe('stock', (changes) => {
      for (const change of changes) this.pendingStock.set(change.variantId, change);
      this.scheduleFlush();
    });
    live.subscribe('catalogue', (changes) => {
      for (const change of changes) this.pendingProducts.set(change.productId, change);
      this.scheduleFlush();
      // A changed drop time moves (or cancels) the moment its pages flip.
      void this.refreshDropTimers(changes.map((c) => c.productId).filter((id) => this.byProduct.has(id)));
    });
    live.onResync(() => void this.resync());
  }

  /** Opens a stream for these products (all products when undefined) and sends their current state. */
  async watch(req: Request, res: Response, productIds: string[] | undefined): Promise<void> {
    const stream = this.streams.open(req, res);
    const watcher: Watcher = { stream, products: productIds ? new Set(productIds) : null };
    this.add(watcher);
    stream.onClose(() => this.remove(watcher));
    // Subscribed first, read second: a change committed in between arrives after the snapshot, never lost.
    await this.sendSnapshot([watcher]);
  }

  onModuleDestroy(): void {
    clearTimeout(this.flushTimer);
    for (const { timer } of this.dropTimers.values()) clearTimeout(timer);
    this.dropTimers.clear();
  }

  private add(watcher: Watcher): void {
    if (!watcher.products) return void this.everything.add(watcher);
    for (const id of watcher.products) {
      let set = this.byProduct.get(id);
      if (!set) this.byProduct.set(id, (set = new Set()));
      set.add(watcher);
    }
  }

  private remove(watcher: Watcher): void {
    if (!watcher.products) return void this.everything.delete(watcher);
    for (const id of watcher.products) {
      const set = this.byProduct.get(id);
      set?.delete(watcher);
      if (set && !set.size) {
        this.byProduct.delete(id);
        this.clearDropTimer(id);
      }
    }
  }

  private async sendSnapshot(watchers: Watcher[]): Promise<void> {
    const ids = new Set<string>();
    for (const w of watchers) for (const id of w.products ?? []) ids.add(id);
    const products = await findAvailability(this.prisma, [...ids]).catch(() => undefined);
    // The database is away: the streams stay open and a later resync or change brings them up to date.
    if (!products) return;
    const now = Date.now();
    const byId = new Map(products.map((p) => [p.productId, p]));
    for (const p of products) this.armDropTimer(p.productId, p.availableFrom, now);
    for (const watcher of watchers) {
      const mine = watcher.products ? [...watcher.products].flatMap((id) => byId.get(id) ?? []) : [];
      watcher.stream.send('snapshot', {
        serverTime: new Date(now).toISOString(),
        products: mine.map((p) => ({ productId: p.productId, drop: dropOf(p, now), variants: p.variants })),
      });
    }
  }

  private async resync(): Promise<void> {
    const filtered = new Set<Watcher>();
    for (const set of this.byProduct.values()) for (const w of set) filtered.add(w);
    await this.sendSnapshot([...filtered]);
    for (const w of this.everything) w.stream.send('resync', { serverTime: new Date().toISOString() });
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const changes = [
      ...[...this.pendingStock.values()].map((c) => ({ productId: c.productId, text: frame('stock', c) })),
      ...[...this.pendingProducts.values()].map((c) => ({ productId: c.productId, text: frame('product', c) })),
    ];
    this.pendingStock.clear();
    this.pendingProducts.clear();
    if (this.everything.size) {
      const all = changes.map((c) => c.text).join('');
      for (const w of this.everything) w.stream.write(all);
    }
    const perWatcher = new Map<Watcher, string[]>();
    for (const change of changes) {
      for (const w of this.byProduct.get(change.productId) ?? []) {
        const frames = perWatcher.get(w);
        if (frames) frames.push(change.text);
        else perWatcher.set(w, [change.text]);
      }
    }
    for (const [w, frames] of perWatcher) w.stream.write(frames.join(''));
  }

  private async refreshDropTimers(productIds: string[]): Promise<void> {
    if (!productIds.length) return;
    const found = await findAvailability(this.prisma, productIds).catch(() => undefined);
    if (!found) return;
    const byId = new Map(found.map((p) => [p.productId, p]));
    const now = Date.now();
    for (const id of productIds) this.armDropTimer(id, byId.get(id)?.availableFrom ?? null, now);
  }

  /** Keeps one timer per watched upcoming drop, at its opening time; a drop that moved re-arms, one that went clears. */
  private armDropTimer(productId: string, availableFrom: Date | null, now: number): void {
    const opensAt = availableFrom?.getTime();
    const existing = this.dropTimers.get(productId);
    if (existing?.opensAt === opensAt) return;
    this.clearDropTimer(productId);
    if (opensAt === undefined || opensAt <= now || !this.byProduct.has(productId)) return;
    const timer = setTimeout(
      () => {
        this.dropTimers.delete(productId);
        if (Date.now() < opensAt) {
          this.armDropTimer(productId, availableFrom, Date.now()); // beyond one timer's reach
          return;
        }
        const text = frame('drop', { productId, ...dropOf({ availableFrom }, Date.now()) });
        for (const w of this.byProduct.get(productId) ?? []) w.stream.write(text);
        for (const w of this.everything) w.stream.write(text);
      },
      Math.min(MAX_TIMER_MS, opensAt - now),
    ).unref();
    this.dropTimers.set(productId, { opensAt, timer });
  }

  private clearDropTimer(productId: string): void {
    const existing = this.dropTimers.get(productId);
    if (!existing) return;
    clearTimeout(existing.timer);
    this.dropTimers.delete(productId);
  }
}
