import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../config/configuration.js';
import { activeBrandId } from '../common/context/brand-context.js';
import { CatalogueWrites } from '../live/catalogue-writes.js';
import { LiveEvents } from '../live/live-events.service.js';
import { changesOf, type SaleWindow } from './drop-state.js';

/** A cached answer: the response object, its JSON body as the API sends it, the body's entity tag, and until when it may be served. */
export interface CachedRead<T> {
  value: T;
  /** the JSON of `value`, serialised once (a cached answer is sent many times) */
  body: string;
  /** weak entity tag of the JSON body (the same for the same content on every instance) */
  etag: string;
  expiresAt: number;
}

interface Entry<T> extends CachedRead<T> {
  productIds: string[];
}

/** Most entries kept per kind; past it the oldest entry goes (products are few; searches could be endless). */
const MAX_PRODUCTS = 20_000;
const MAX_PAGES = 2_000;

/** The JSON body of `value` and its weak entity tag. */
export function serialised(value: unknown): { body: string; etag: string } {
  const body = JSON.stringify(value);
  return { body, etag: `W/"${createHash('sha1').update(body).digest('base64url')}"` };
}

/**
 * The public catalogue reads (GET /products/:slug and GET /products for shoppers; admins always read the database),
 * kept in memory per brand and dropped the moment the data under them changes:
 * - a stock change (checkout, payment, expiry, cancellation, return, restock, adjustment) or a product or variant edit
 *   made through this instance drops the product's entries, and every page listing it, right after its commit
 *   (CatalogueWrites) — before the write is answered;
 * - the same change made anywhere (another instance, a script) arrives as a database notification (LiveEvents,
 *   `orderline_stock` / `orderline_catalogue`, sent by triggers at commit) and drops them on every instance; a product
 *   edit also drops every page (membership and order may change);
 * - while the notification connection is down nothing is served from memory, and a reconnect (notifications may have
 *   been missed) empties it;
 * - a drop created, edited or ended (src/drops) drops the products of its variants the same two ways (its tables'
 *   triggers send `orderline_catalogue` too);
 * - an entry lives at most CATALOGUE_CACHE_SECONDS, and never past the moment a product it shows goes on sale, or
 *   its drop's early access, opening or end.
 * So an answer is at most as old as a notification's trip from the database (milliseconds) for writes of other
 * instances, and fresh for this instance's own. A read that started before a drop does not store its (possibly
 * older) answer: every drop advances a counter that reads compare against.
 */
@Injectable()
export class ProductReadCache {
  private readonly maxAgeMs: number;
  private readonly products = new Map<string, Entry<unknown>>();
  private readonly pages = new Map<string, Entry<unknown>>();
  /** product id → keys of the product and page entries showing it */
  private readonly keysByProduct = new Map<string, Set<string>>();
  /** drop counter: every drop advances it; `droppedAt` remembers the counter at each product's last drop */
  private version = 0;
  private readonly droppedAt = new Map<string, number>();
  private pagesDroppedAt = 0;
  private allDroppedAt = 0;

  constructor(
    config: ConfigService<EnvironmentVariables, true>,
    private readonly live: LiveEvents,
    writes: CatalogueWrites,
  ) {
    this.maxAgeMs = config.get('CATALOGUE_CACHE_SECONDS', { infer: true }) * 1000;
    if (!this.enabled) return;
    writes.onCommitted((ids) => this.drop(ids, true));
    live.subscribe('stock', (changes) =>
      this.drop(
        changes.map((c) => c.productId),
        false,
      ),
    );
    live.subscribe('catalogue', (changes) =>
      this.drop(
        changes.map((c) => c.productId),
        true,
      ),
    );
    live.onResync(() => this.clear());
  }

  get enabled(): boolean {
    return this.maxAgeMs > 0;
  }

  /** The cached product answer for `key` (id or slug), or reads it with `load` and keeps it if nothing changed meanwhile. */
  product<T extends CachedProduct>(key: string, load: () => Promise<T | undefined>): Promise<CachedRead<T> | undefined> {
    return this.read(this.products, MAX_PRODUCTS, `${activeBrandId()}|${key}`, load, (p) => [p]);
  }

  /** The cached page answer for `key` (its query), or reads it with `load` and keeps it if nothing changed meanwhile. */
  page<T extends { items: CachedProduct[] }>(key: string, load: () => Promise<T>): Promise<CachedRead<T>> {
    return this.read(this.pages, MAX_PAGES, `${activeBrandId()}|?${key}`, load, (p) => p.items) as Promise<CachedRead<T>>;
  }

  private async read<T>(
    entries: Map<string, Entry<unknown>>,
    max: number,
    key: string,
    load: () => Promise<T | undefined>,
    productsOf: (value: T) => CachedProduct[],
  ): Promise<CachedRead<T> | undefined> {
    const now = Date.now();
    if (this.serving()) {
      const hit = entries.get(key) as Entry<T> | undefined;
      if (hit && hit.expiresAt > now) return hit;
    }
    const startedAt = this.version;
    const value = await load();
    if (value === undefined) return undefined;
    const shown = productsOf(value);
    const entry: Entry<T> = {
      value,
      ...serialised(value),
      expiresAt: expiryOf(shown, now + this.maxAgeMs, now),
      productIds: shown.map((p) => p.id),
    };
    const changedMeanwhile =
      this.allDroppedAt > startedAt ||
      (entries === this.pages && this.pagesDroppedAt > startedAt) ||
      entry.productIds.some((id) => (this.droppedAt.get(id) ?? 0) > startedAt);
    // Stored only if the connection stayed up throughout (a reconnect in between empties the cache and counts as a drop).
    if (this.serving() && !changedMeanwhile) this.store(entries, max, key, entry);
    return entry;
  }

  /** Whether answers may come from memory now: only while notifications are heard. */
  private serving(): boolean {
    return this.enabled && this.live.listening;
  }

  private store<T>(entries: Map<string, Entry<unknown>>, max: number, key: string, entry: Entry<T>): void {
    this.forget(entries, key);
    if (entries.size >= max) {
      const oldest = entries.keys().next();
      if (!oldest.done) this.forget(entries, oldest.value);
    }
    entries.set(key, entry);
    for (const id of entry.productIds) {
      let keys = this.keysByProduct.get(id);
      if (!keys) this.keysByProduct.set(id, (keys = new Set()));
      keys.add(key);
    }
  }

  private forget(entries: Map<string, Entry<unknown>>, key: string): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    for (const id of entry.productIds) this.keysByProduct.get(id)?.delete(key);
  }

  /** Drops the products' entries and the pages showing them; `allPages` also every page (a product edit may move it). */
  private drop(productIds: string[], allPages: boolean): void {
    const version = ++this.version;
    for (const id of productIds) {
      this.droppedAt.set(id, version);
      for (const key of this.keysByProduct.get(id) ?? []) {
        this.products.delete(key);
        this.pages.delete(key);
      }
      this.keysByProduct.delete(id);
    }
    if (allPages) {
      this.pagesDroppedAt = version;
      for (const key of this.pages.keys()) this.forget(this.pages, key);
    }
  }

  private clear(): void {
    const version = ++this.version;
    this.pagesDroppedAt = version;
    this.products.clear();
    this.pages.clear();
    this.keysByProduct.clear();
    // Reads in flight must not store: every product counts as dropped now.
    this.droppedAt.clear();
    this.allDroppedAt = version;
  }
}

/** What the cache needs of a product answer: its id, and the times at which the answer changes by itself. */
type CachedProduct = { id: string; availableFrom: Date | null; drop?: SaleWindow | null };

/**
 * An entry expires at the first moment a product it shows changes by the clock alone (it goes on sale, its drop's
 * early access opens, the drop opens or ends): `purchasable` and the drop's phase flip then.
 */
function expiryOf(products: CachedProduct[], latest: number, now: number): number {
  return Math.min(latest, ...products.flatMap((p) => changesOf(p, now)));
}
