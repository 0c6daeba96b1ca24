import { randomUUID } from 'node:crypto';
import type { PrismaService } from '../../src/prisma/prisma.service.js';

/**
 * Creates an active product with variants and stock straight in the database (with the ADJUSTMENT movements the
 * ledger invariant needs). For tests of modules other than the catalogue.
 */
export async function createProductWithStock(
  prisma: PrismaService,
  variants: { stock: number; priceMinor?: number; currency?: string }[],
  product: { availableFrom?: Date; status?: 'ACTIVE' | 'ARCHIVED' } = {},
) {
  const tag = randomUUID().slice(0, 8);
  return prisma.$transaction(async (tx) => {
    const created = await tx.product.create({
      data: {
        slug: `fixture-${tag}`,
        name: `Fixture ${tag}`,
        status: product.status ?? 'ACTIVE',
        availableFrom: product.availableFrom,
        variants: {
          create: variants.map((v, i) => ({
            sku: `FX-${tag}-${i}`,
            name: `Variant ${i}`,
            priceMinor: v.priceMinor ?? 10000,
            currency: v.currency ?? 'INR',
          })),
        },
      },
      include: { variants: { orderBy: { sku: 'asc' } } },
    });
    for (const [i, variant] of created.variants.entries()) {
      await tx.inventoryLevel.create({ data: { variantId: variant.id, onHand: variants[i].stock } });
      if (variants[i].stock)
        await tx.stockMovement.create({
          data: { variantId: variant.id, kind: 'ADJUSTMENT', onHandDelta: variants[i].stock, reservedDelta: 0, reason: 'fixture' },
        });
    }
    return created;
  });
}

/** A variant's stock level (onHand, reserved) as stored. */
export const inventoryLevel = (prisma: PrismaService, variantId: string) =>
  prisma.inventoryLevel.findUniqueOrThrow({ where: { variantId } });

/** The ledger invariant: for every variant, on_hand = Σ on_hand_delta and reserved = Σ reserved_delta. Returns violations. */
export async function ledgerViolations(prisma: PrismaService, variantIds?: string[]) {
  return prisma.$queryRawUnsafe<{ variant_id: string; on_hand: number; reserved: number; sum_on_hand: number; sum_reserved: number }[]>(
    `
    SELECT il.variant_id::text, il.on_hand, il.reserved,
           COALESCE(SUM(sm.on_hand_delta), 0)::int AS sum_on_hand, COALESCE(SUM(sm.reserved_delta), 0)::int AS sum_reserved
    FROM inventory_levels il LEFT JOIN stock_movements sm ON sm.variant_id = il.variant_id
    ${variantIds ? `WHERE il.variant_id = ANY($1::uuid[])` : ''}
    GROUP BY il.variant_id, il.on_hand, il.reserved
    HAVING il.on_hand <> COALESCE(SUM(sm.on_hand_delta), 0) OR il.reserved <> COALESCE(SUM(sm.reserved_delta), 0)`,
    ...(variantIds ? [variantIds] : []),
  );
}
