import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { activeBrandId } from '../common/context/brand-context.js';
import { LiveEvents } from '../live/live-events.service.js';
import type { DropRules } from './drop-rules.js';

/** How long this instance trusts its copy of a brand's drops; an edit through this instance applies at once. */
const DROPS_TTL_MS = 1_000;

interface BrandDrops {
  loadedAt: number;
  /** The drop that governs each variant: of the drops listing it, the one that starts last. */
  byVariant: Map<string, DropRules>;
  byId: Map<string, DropRules>;
}

/**
 * This instance's view of the drops, for the checkout path: which drop governs a variant (re-read at most every
 * second per brand, and at once after an edit here) and how much of each variant was available at the last commit
 * that changed it — the `orderline_stock` notifications every stock change sends from inside its transaction, which
 * every instance hears. A variant nobody has heard about yet is unknown (never presumed sold out); after the
 * listening connection was lost, everything is forgotten and re-learned.
 */
@Injectable()
export class DropCatalog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly brands = new Map<string, BrandDrops>();
  private readonly loading = new Map<string, Promise<BrandDrops>>();
  private readonly available = new Map<string, number>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly prisma: PrismaService,
    private readonly live: LiveEvents,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe.push(
      this.live.subscribe('stock', (changes) => {
        for (const change of changes) this.available.set(change.variantId, change.available);
      }),
      this.live.onResync(() => this.available.clear()),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  /** The drops governing these variants (variants in no drop are absent), as of at most a second ago. */
  async forVariants(variantIds: Iterable<string>): Promise<Map<string, DropRules>> {
    const drops = await this.current();
    const found = new Map<string, DropRules>();
    for (const id of variantIds) {
      const drop = drops.byVariant.get(id);
      if (drop) found.set(id, drop);
    }
    return found;
  }

  async byId(dropId: string): Promise<DropRules | undefined> {
    return (await this.current()).byId.get(dropId);
  }

  /** Without waiting: the governing drop as last loaded (undefined when not loaded or in no drop). For the admission path. */
  cachedDrop(brandId: string, variantId: string): DropRules | undefined {
    const drops = this.brands.get(brandId);
    if (!drops) return undefined;
    if (Date.now() - drops.loadedAt > DROPS_TTL_MS) void this.refresh(brandId);
    return drops.byVariant.get(variantId);
  }

  /**
   * False only when the brand's drops are loaded and there are none (re-read at most every second, as cachedDrop): then
   * no checkout of the brand has anything for the door to decide.
   */
  mayHaveDrops(brandId: string): boolean {
    const drops = this.brands.get(brandId);
    if (!drops) return true;
    if (Date.now() - drops.loadedAt > DROPS_TTL_MS) void this.refresh(brandId);
    return drops.byVariant.size > 0;
  }

  /** Available units at the last committed change this instance heard of; undefined when unknown. */
  lastKnownAvailable(variantId: string): number | undefined {
    return this.available.get(variantId);
  }

  /** Whether the brand's drops are in memory; if not, a promise that resolves once they are (the first request of a brand). */
  loaded(brandId: string): Promise<unknown> | undefined {
    const drops = this.brands.get(brandId);
    // Never loaded, or edited through this instance (an edit applies here at once): wait for the fresh copy.
    return drops && drops.loadedAt > 0 ? undefined : this.refresh(brandId);
  }

  /** After an edit: the next checkout reads the brand's drops again (the admission path keeps the old copy until then). */
  invalidate(brandId = activeBrandId()): void {
    const drops = this.brands.get(brandId);
    if (drops) drops.loadedAt = 0;
    void this.refresh(brandId).catch(() => undefined);
  }

  private async current(): Promise<BrandDrops> {
    const brandId = activeBrandId();
    const drops = this.brands.get(brandId);
    if (drops && Date.now() - drops.loadedAt <= DROPS_TTL_MS) return drops;
    return this.refresh(brandId);
  }

  private refresh(brandId: string): Promise<BrandDrops> {
    let pending = this.loading.get(brandId);
    if (!pending) {
      pending = this.load().finally(() => this.loading.delete(brandId));
      this.loading.set(brandId, pending);
      void pending.then((drops) => this.brands.set(brandId, drops)).catch(() => undefined);
    }
    return pending;
  }

  private async load(): Promise<BrandDrops> {
    const loadedAt = Date.now();
    const rows = await this.prisma.drop.findMany({
      include: { variants: { select: { variantId: true } } },
      orderBy: { startsAt: 'asc' },
    });
    const byVariant = new Map<string, DropRules>();
    const byId = new Map<string, DropRules>();
    for (const { variants, openAnnouncedAt: _announced, createdAt: _created, updatedAt: _updated, brandId: _brand, ...row } of rows) {
      const drop: DropRules = { ...row, variantIds: variants.map((v) => v.variantId) };
      byId.set(drop.id, drop);
      // Ordered by start: a later drop of the same variant takes over from an earlier one.
      for (const variantId of drop.variantIds) byVariant.set(variantId, drop);
    }
    const unknown = [...byVariant.keys()].filter((id) => !this.available.has(id));
    if (unknown.length) {
      const levels = await this.prisma.$queryRaw<{ variantId: string; available: number }[]>`
        SELECT variant_id::text AS "variantId", on_hand - reserved AS available FROM inventory_levels WHERE variant_id = ANY(${unknown}::uuid[])`;
      // A notification heard while this read ran is newer than it: keep that one.
      for (const level of levels) if (!this.available.has(level.variantId)) this.available.set(level.variantId, level.available);
    }
    return { loadedAt, byVariant, byId };
  }
}
