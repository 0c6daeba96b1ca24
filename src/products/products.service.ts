import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Prisma, Product, Variant } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import { StockLedger } from '../inventory/stock-ledger.js';
import { SettingsService } from '../settings/settings.service.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, type FieldError } from '../common/errors/domain-errors.js';
import type {
  CreateProductDto,
  CreateVariantDto,
  ListProductsQueryDto,
  ProductPageResponse,
  ProductResponse,
  UpdateProductDto,
  UpdateVariantDto,
  VariantResponse,
} from './dto/products.dto.js';
import { findProduct, findProductPage, type CatalogueViewer } from './product-views.js';
import { ProductReadCache, serialised, type CachedRead } from './product-read-cache.js';
import { CatalogueWrites } from '../live/catalogue-writes.js';
import { firstFreeSlug, isValidSlug, SLUG_MESSAGE, slugCandidatePrefix, slugify } from './slug.js';

const ADMIN_VIEW: CatalogueViewer = { admin: true };
const DEFAULT_STOCK_REASON = 'initial stock';

type Snapshot = Record<string, unknown>;

export interface CreateProductOptions {
  /** Reason on the opening-stock movements (default "initial stock"). */
  stockReason?: string;
  /** Threshold for variants that do not set one (the brand setting); undefined keeps the column default. */
  defaultLowStockThreshold?: number;
}

const productSnapshot = (p: Product): Snapshot => ({
  slug: p.slug,
  name: p.name,
  description: p.description,
  category: p.category,
  images: p.images,
  status: p.status,
  availableFrom: p.availableFrom?.toISOString() ?? null,
});

const variantSnapshot = (v: Variant): Snapshot => ({
  sku: v.sku,
  name: v.name,
  attributes: v.attributes,
  priceMinor: v.priceMinor,
  currency: v.currency,
  active: v.active,
  lowStockThreshold: v.lowStockThreshold,
  position: v.position,
});

/** Keys whose values differ between two snapshots (compared as JSON, so arrays and objects compare by content). */
const changedKeys = (before: Snapshot, after: Snapshot) =>
  Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
const pick = (snapshot: Snapshot, keys: string[]) => Object.fromEntries(keys.map((k) => [k, snapshot[k]]));
const definedOnly = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
const toDate = (iso: string | null | undefined) => (iso === undefined ? undefined : iso === null ? null : new Date(iso));

/**
 * The catalogue: public reads (one SQL round trip each, see product-views.ts) and admin writes. Every write runs in a
 * Serializable transaction with its audit entry; stock given at creation goes through the StockLedger as ADJUSTMENT
 * movements so the ledger explains every unit from the first one.
 */
@Injectable()
export class ProductsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly ledger: StockLedger,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
    private readonly cache: ProductReadCache,
    private readonly writes: CatalogueWrites,
  ) {}

  async list(query: ListProductsQueryDto, viewer: CatalogueViewer): Promise<ProductPageResponse> {
    return (await this.listRead(query, viewer)).value;
  }

  /** The page with its entity tag; shoppers' pages come from the read cache (ProductReadCache), admins' from the database. */
  listRead(query: ListProductsQueryDto, viewer: CatalogueViewer): Promise<CachedRead<ProductPageResponse>> {
    if (query.includeArchived && !viewer.admin) throw new ForbiddenError('Only admins can list archived products');
    const filter = { q: query.q, category: query.category, includeArchived: query.includeArchived };
    const load = () => findProductPage(this.prisma, filter, viewer, query.page, query.limit);
    if (viewer.admin) return load().then(uncached);
    return this.cache.page(JSON.stringify([query.page, query.limit, filter.q, filter.category]), load);
  }

  async get(idOrSlug: string, viewer: CatalogueViewer): Promise<ProductResponse> {
    return (await this.getRead(idOrSlug, viewer)).value;
  }

  /** The product with its entity tag; shoppers' reads come from the read cache, admins' from the database. */
  async getRead(idOrSlug: string, viewer: CatalogueViewer): Promise<CachedRead<ProductResponse>> {
    const load = () => findProduct(this.prisma, idOrSlug, viewer);
    const read = viewer.admin ? await load().then((p) => p && uncached(p)) : await this.cache.product(idOrSlug, load);
    if (!read) throw new NotFoundError('Product', idOrSlug);
    return read;
  }

  async create(input: CreateProductDto, actor: Actor): Promise<ProductResponse> {
    const defaultLowStockThreshold = await this.settings.defaultLowStockThreshold();
    const id = await this.prisma.serializable((tx) => this.createInTransaction(tx, input, actor, { defaultLowStockThreshold }));
    return this.get(id, ADMIN_VIEW);
  }

  /**
   * Creates a product, its variants and their opening stock inside the caller's transaction (the seed runs it under
   * its advisory lock). Returns the product id. The brand's default low-stock threshold is read by the caller before
   * the transaction, so the transaction never waits on a second pool connection.
   */
  async createInTransaction(tx: Tx, input: CreateProductDto, actor: Actor, options: CreateProductOptions = {}): Promise<string> {
    const problems = duplicateSkus(input.variants);
    if (input.slug !== undefined && !isValidSlug(input.slug)) problems.push({ field: 'slug', errors: [SLUG_MESSAGE] });
    if (problems.length) throw new InvalidInputError(`Validation failed: ${problems.map((p) => p.field).join(', ')}`, problems);

    const slug = input.slug ?? (await this.freeSlug(tx, slugify(input.name)));
    if (input.slug !== undefined) await this.assertSlugFree(tx, slug);
    await this.assertSkusFree(
      tx,
      input.variants.map((v) => v.sku),
    );

    const product = await tx.product.create({
      data: {
        id: randomUUID(),
        slug,
        name: input.name,
        description: input.description,
        category: input.category,
        images: input.images ?? [],
        availableFrom: toDate(input.availableFrom),
      },
    });
    const variants = input.variants.map((v, position) => ({
      id: randomUUID(),
      productId: product.id,
      position,
      ...variantData(v, options.defaultLowStockThreshold),
    }));
    await tx.variant.createMany({ data: variants });
    await this.openStock(
      tx,
      variants.map((v, i) => ({ variantId: v.id, units: input.variants[i].initialStock ?? 0 })),
      actor,
      options.stockReason ?? DEFAULT_STOCK_REASON,
    );
    this.writes.changed(tx, [product.id]);
    await this.audit.record(tx, {
      actor,
      action: 'product.created',
      entityType: 'product',
      entityId: product.id,
      after: {
        ...productSnapshot(product),
        variants: variants.map(({ productId: _productId, ...v }, i) => ({ ...v, initialStock: input.variants[i].initialStock ?? 0 })),
      },
    });
    return product.id;
  }

  async update(id: string, patch: UpdateProductDto, actor: Actor): Promise<ProductResponse> {
    const fields = definedOnly(patch);
    if (!Object.keys(fields).length) throw new InvalidInputError('Nothing to update: send at least one field');
    await this.prisma.serializable(async (tx) => {
      const before = await tx.product.findUnique({ where: { id } });
      if (!before) throw new NotFoundError('Product', id);
      const { availableFrom, ...rest } = fields;
      const data: Prisma.ProductUpdateInput = { ...rest, ...(availableFrom !== undefined && { availableFrom: toDate(availableFrom) }) };
      const proposed = {
        ...productSnapshot(before),
        ...rest,
        ...(availableFrom !== undefined && { availableFrom: toDate(availableFrom)?.toISOString() ?? null }),
      };
      const changed = changedKeys(productSnapshot(before), proposed);
      if (!changed.length) return;
      if (changed.includes('slug') && fields.slug !== undefined) await this.assertSlugFree(tx, fields.slug);
      const after = await tx.product.update({ where: { id }, data });
      this.writes.changed(tx, [id]);
      await this.audit.record(tx, {
        actor,
        action: 'product.updated',
        entityType: 'product',
        entityId: id,
        before: pick(productSnapshot(before), changed),
        after: pick(productSnapshot(after), changed),
      });
    });
    return this.get(id, ADMIN_VIEW);
  }

  /** Archived products leave the catalogue and cannot be bought; their variants and order history stay. Idempotent. */
  async archive(id: string, actor: Actor): Promise<ProductResponse> {
    await this.prisma.serializable(async (tx) => {
      const before = await tx.product.findUnique({ where: { id }, select: { status: true } });
      if (!before) throw new NotFoundError('Product', id);
      if (before.status === 'ARCHIVED') return;
      await tx.product.update({ where: { id }, data: { status: 'ARCHIVED' } });
      this.writes.changed(tx, [id]);
      await this.audit.record(tx, {
        actor,
        action: 'product.archived',
        entityType: 'product',
        entityId: id,
        before: { status: before.status },
        after: { status: 'ARCHIVED' },
      });
    });
    return this.get(id, ADMIN_VIEW);
  }

  async addVariant(productId: string, input: CreateVariantDto, actor: Actor): Promise<VariantResponse> {
    const defaultLowStockThreshold = await this.settings.defaultLowStockThreshold();
    const id = await this.prisma.serializable(async (tx) => {
      const product = await tx.product.findUnique({ where: { id: productId }, select: { id: true } });
      if (!product) throw new NotFoundError('Product', productId);
      await this.assertSkusFree(tx, [input.sku]);
      const last = await tx.variant.aggregate({ where: { productId }, _max: { position: true } });
      const variant = await tx.variant.create({
        data: { id: randomUUID(), productId, position: (last._max.position ?? -1) + 1, ...variantData(input, defaultLowStockThreshold) },
      });
      await this.openStock(tx, [{ variantId: variant.id, units: input.initialStock ?? 0 }], actor, DEFAULT_STOCK_REASON);
      this.writes.changed(tx, [productId]);
      await this.audit.record(tx, {
        actor,
        action: 'variant.created',
        entityType: 'variant',
        entityId: variant.id,
        after: { productId, ...variantSnapshot(variant), initialStock: input.initialStock ?? 0 },
      });
      return variant.id;
    });
    return this.getVariant(id);
  }

  async updateVariant(id: string, patch: UpdateVariantDto, actor: Actor): Promise<VariantResponse> {
    const fields = definedOnly(patch);
    if (!Object.keys(fields).length) throw new InvalidInputError('Nothing to update: send at least one field');
    await this.prisma.serializable(async (tx) => {
      const before = await tx.variant.findUnique({ where: { id } });
      if (!before) throw new NotFoundError('Variant', id);
      const changed = changedKeys(variantSnapshot(before), { ...variantSnapshot(before), ...fields });
      if (!changed.length) return;
      if (changed.includes('sku') && fields.sku !== undefined) await this.assertSkusFree(tx, [fields.sku]);
      const after = await tx.variant.update({ where: { id }, data: fields });
      this.writes.changed(tx, [after.productId]);
      await this.audit.record(tx, {
        actor,
        action: 'variant.updated',
        entityType: 'variant',
        entityId: id,
        before: pick(variantSnapshot(before), changed),
        after: pick(variantSnapshot(after), changed),
      });
    });
    return this.getVariant(id);
  }

  private async getVariant(id: string): Promise<VariantResponse> {
    const v = await this.prisma.variant.findUnique({ where: { id }, include: { inventory: { select: { onHand: true, reserved: true } } } });
    if (!v) throw new NotFoundError('Variant', id);
    const onHand = v.inventory?.onHand ?? 0;
    const reserved = v.inventory?.reserved ?? 0;
    return {
      id: v.id,
      productId: v.productId,
      sku: v.sku,
      name: v.name,
      attributes: v.attributes as VariantResponse['attributes'],
      priceMinor: v.priceMinor,
      currency: v.currency,
      active: v.active,
      position: v.position,
      lowStockThreshold: v.lowStockThreshold,
      onHand,
      reserved,
      available: onHand - reserved,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
    };
  }

  /** Inventory rows for new variants, then their opening stock as ADJUSTMENT movements. */
  private async openStock(tx: Tx, lines: { variantId: string; units: number }[], actor: Actor, reason: string): Promise<void> {
    await this.ledger.open(
      tx,
      lines.map((l) => l.variantId),
    );
    await this.ledger.apply(
      tx,
      lines.map((l) => ({ variantId: l.variantId, kind: 'ADJUSTMENT', onHandDelta: l.units, reservedDelta: 0, reason, actorId: actor.id })),
    );
  }

  private async freeSlug(tx: Tx, base: string): Promise<string> {
    // The range (a leakproof operator, unlike LIKE) lets the scan run on the (brand_id, slug) unique index under row-level
    // security, so a concurrent product taking one of these slugs conflicts with this read (serialization failure, retried).
    const prefix = slugCandidatePrefix(base);
    const taken = await tx.product.findMany({ where: { slug: { gte: prefix, startsWith: prefix } }, select: { slug: true } });
    return firstFreeSlug(base, new Set(taken.map((p) => p.slug)));
  }

  private async assertSlugFree(tx: Tx, slug: string): Promise<void> {
    if (await tx.product.findFirst({ where: { slug }, select: { id: true } })) {
      throw new ConflictError(`Slug "${slug}" is already used by another product`, { field: 'slug' });
    }
  }

  private async assertSkusFree(tx: Tx, skus: string[]): Promise<void> {
    const taken = await tx.variant.findMany({ where: { sku: { in: skus } }, select: { sku: true } });
    if (taken.length)
      throw new ConflictError(`SKU already in use: ${taken.map((v) => v.sku).join(', ')}`, { skus: taken.map((v) => v.sku) });
  }
}

/** A database read passed through as a CachedRead (admins' reads are never cached). */
function uncached<T>(value: T): CachedRead<T> {
  return { value, ...serialised(value), expiresAt: 0 };
}

/** Column values of a new variant; without its own low-stock threshold it takes the brand's default (settings), else 5. */
function variantData(v: CreateVariantDto, defaultThreshold?: number) {
  const lowStockThreshold = v.lowStockThreshold ?? defaultThreshold;
  return {
    sku: v.sku,
    name: v.name,
    attributes: v.attributes ?? {},
    priceMinor: v.priceMinor,
    currency: v.currency,
    ...(lowStockThreshold !== undefined && { lowStockThreshold }),
  };
}

function duplicateSkus(variants: CreateVariantDto[]): FieldError[] {
  const seen = new Set<string>();
  return variants.flatMap((v, i) => {
    if (!seen.has(v.sku)) {
      seen.add(v.sku);
      return [];
    }
    return [{ field: `variants.${i}.sku`, errors: [`sku ${v.sku} appears more than once in this product`] }];
  });
}
