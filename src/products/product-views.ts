import { Prisma } from '../generated/prisma/client.js';
import type { ProductStatus } from '../generated/prisma/enums.js';
import type { PrismaService } from '../prisma/prisma.service.js';
import { UUID_PATTERN } from '../common/uuid.js';
import { likeContaining } from '../prisma/like-pattern.js';
import type { ProductResponse, ProductVariantResponse } from './dto/products.dto.js';
import { purchasableAt, type SaleWindow } from './drop-state.js';

/** Who is reading the catalogue: admins also see archived products and deactivated variants. */
export interface CatalogueViewer {
  admin: boolean;
}

export interface ProductFilter {
  q?: string;
  category?: string;
  includeArchived?: boolean;
}

interface ProductRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  category: string | null;
  images: string[];
  status: ProductStatus;
  availableFrom: Date | null;
  createdAt: Date;
  updatedAt: Date;
  variants: ProductVariantResponse[];
  /** product_drops as JSON (its times as strings), or null */
  drop: { id: string; name: string; startsAt: string; endsAt: string | null; earlyAccessStartsAt: string | null } | null;
  total?: number;
}

/** Product columns plus its variants (with live availability) as one JSON array, in display order. */
function productColumns(viewer: CatalogueViewer): Prisma.Sql {
  return Prisma.sql`
    p.id::text AS id, p.slug, p.name, p.description, p.category, p.images, p.status::text AS status,
    p.available_from AS "availableFrom", p.created_at AS "createdAt", p.updated_at AS "updatedAt",
    COALESCE((
      SELECT json_agg(json_build_object(
        'id', v.id, 'sku', v.sku, 'name', v.name, 'attributes', v.attributes, 'priceMinor', v.price_minor,
        'currency', v.currency, 'available', COALESCE(il.on_hand - il.reserved, 0), 'active', v.active
      ) ORDER BY v.position, v.created_at, v.id)
      FROM variants v LEFT JOIN inventory_levels il ON il.variant_id = v.id
      WHERE v.product_id = p.id ${viewer.admin ? Prisma.empty : Prisma.sql`AND v.active`}
    ), '[]'::json) AS variants,
    (SELECT json_build_object('id', d.drop_id, 'name', d.name, 'startsAt', d.starts_at, 'endsAt', d.ends_at,
                              'earlyAccessStartsAt', d.early_access_starts_at)
     FROM product_drops d WHERE d.product_id = p.id) AS drop`;
}

function productWhere(filter: ProductFilter, viewer: CatalogueViewer): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (!(viewer.admin && filter.includeArchived)) conditions.push(Prisma.sql`p.status = 'ACTIVE'`);
  if (filter.category) conditions.push(Prisma.sql`p.category = ${filter.category}`);
  if (filter.q) conditions.push(Prisma.sql`p.name ILIKE ${likeContaining(filter.q)}`);
  return conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
}

function toResponse(row: ProductRow, now: number): ProductResponse {
  const date = (value: string | null) => (value === null ? null : new Date(value));
  const drop: SaleWindow | null = row.drop && {
    id: row.drop.id,
    name: row.drop.name,
    startsAt: new Date(row.drop.startsAt),
    endsAt: date(row.drop.endsAt),
    earlyAccessStartsAt: date(row.drop.earlyAccessStartsAt),
  };
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    category: row.category,
    images: row.images,
    status: row.status,
    availableFrom: row.availableFrom,
    purchasable: purchasableAt({ ...row, drop }, now),
    drop,
    variants: row.variants,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * One page of products, newest first, with the total count — a single round trip: the count is an uncorrelated
 * subquery and the variants are aggregated per product. A second query runs only when the page is past the end.
 */
export async function findProductPage(prisma: PrismaService, filter: ProductFilter, viewer: CatalogueViewer, page: number, limit: number) {
  const where = productWhere(filter, viewer);
  const rows = await prisma.$queryRaw<ProductRow[]>`
    SELECT ${productColumns(viewer)}, (SELECT count(*)::int FROM products p ${where}) AS total
    FROM (SELECT * FROM products p ${where} ORDER BY p.created_at DESC, p.id DESC LIMIT ${limit} OFFSET ${(page - 1) * limit}) p
    ORDER BY p.created_at DESC, p.id DESC`;
  const total = rows.length
    ? (rows[0].total ?? 0)
    : page === 1
      ? 0
      : (await prisma.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM products p ${where}`)[0].total;
  const now = Date.now();
  return { items: rows.map((row) => toResponse(row, now)), page, limit, total, totalPages: Math.ceil(total / limit) };
}

/** One product by id or slug, or undefined. A UUID-shaped value matches either, the id first. */
export async function findProduct(prisma: PrismaService, idOrSlug: string, viewer: CatalogueViewer): Promise<ProductResponse | undefined> {
  const key = idOrSlug.normalize('NFC');
  const match = UUID_PATTERN.test(key)
    ? { where: Prisma.sql`(p.id = ${key}::uuid OR p.slug = ${key})`, order: Prisma.sql`ORDER BY p.id = ${key}::uuid DESC` }
    : { where: Prisma.sql`p.slug = ${key}`, order: Prisma.empty };
  const visible = viewer.admin ? Prisma.empty : Prisma.sql`AND p.status = 'ACTIVE'`;
  const rows = await prisma.$queryRaw<ProductRow[]>`
    SELECT ${productColumns(viewer)} FROM products p WHERE ${match.where} ${visible} ${match.order} LIMIT 1`;
  return rows.length ? toResponse(rows[0], Date.now()) : undefined;
}

export interface ProductAvailability {
  productId: string;
  availableFrom: Date | null;
  variants: { variantId: string; available: number }[];
}

/**
 * What the live catalogue shows of active products: each active variant's available stock, and when the product goes
 * on sale. One round trip for all of them; ids that are not active products are left out.
 */
export async function findAvailability(prisma: PrismaService, productIds: string[]): Promise<ProductAvailability[]> {
  if (!productIds.length) return [];
  const rows = await prisma.$queryRaw<
    { product_id: string; available_from: Date | null; variants: { variantId: string; available: number }[] }[]
  >`
    SELECT p.id::text AS product_id, p.available_from,
           COALESCE((SELECT json_agg(json_build_object('variantId', v.id, 'available', COALESCE(il.on_hand - il.reserved,
                       0)) ORDER BY v.position, v.created_at, v.id)
                     FROM variants v LEFT JOIN inventory_levels il ON il.variant_id = v.id
                     WHERE v.product_id = p.id AND v.active), '[]'::json) AS variants
    FROM products p WHERE p.id = ANY(${productIds}::uuid[]) AND p.status = 'ACTIVE'`;
  return rows.map((r) => ({ productId: r.product_id, availableFrom: r.available_from, variants: r.variants }));
}
