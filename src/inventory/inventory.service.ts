import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { likeContaining } from '../prisma/like-pattern.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { StockLedger } from './stock-ledger.js';
import {
  MAX_STOCK_UNITS,
  type AdjustInventoryDto,
  type InventoryItemResponse,
  type InventoryPageResponse,
  type ListInventoryQueryDto,
  type MovementPageResponse,
  type MovementsQueryDto,
} from './dto/inventory.dto.js';

type InventoryRow = InventoryItemResponse & { total?: number };

/** Per-variant stock with its product, one query; variants that never had stock show as 0. */
function selectInventory(client: Pick<Tx, '$queryRaw'>, where: Prisma.Sql, page?: { limit: number; offset: number }) {
  return client.$queryRaw<InventoryRow[]>`
    SELECT v.id::text AS "variantId", v.sku, v.name AS "variantName", p.id::text AS "productId", p.name AS "productName",
           p.slug AS "productSlug", p.status::text AS "productStatus", v.active AS "variantActive",
           COALESCE(il.on_hand, 0) AS "onHand", COALESCE(il.reserved, 0) AS reserved,
           COALESCE(il.on_hand - il.reserved, 0) AS available, v.low_stock_threshold AS "lowStockThreshold",
           COALESCE(il.on_hand - il.reserved, 0) <= v.low_stock_threshold AS "lowStock", il.updated_at AS "updatedAt"
           ${page ? Prisma.sql`, count(*) OVER ()::int AS total` : Prisma.empty}
    FROM variants v JOIN products p ON p.id = v.product_id LEFT JOIN inventory_levels il ON il.variant_id = v.id
    ${where}
    ORDER BY v.sku, v.id
    ${page ? Prisma.sql`LIMIT ${page.limit} OFFSET ${page.offset}` : Prisma.empty}`;
}

const withoutTotal = ({ total: _total, ...item }: InventoryRow): InventoryItemResponse => item;

/**
 * Admin view and manual adjustment of stock. Adjustments lock the level row, check, then write through the
 * StockLedger (an ADJUSTMENT movement with the reason) and the audit log in one Serializable transaction.
 */
@Injectable()
export class InventoryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly ledger: StockLedger,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListInventoryQueryDto): Promise<InventoryPageResponse> {
    const conditions: Prisma.Sql[] = [];
    if (query.lowStock) {
      conditions.push(Prisma.sql`COALESCE(il.on_hand - il.reserved, 0) <= v.low_stock_threshold AND v.active AND p.status = 'ACTIVE'`);
    }
    if (query.productId) conditions.push(Prisma.sql`v.product_id = ${query.productId}::uuid`);
    if (query.q) {
      const pattern = likeContaining(query.q);
      conditions.push(Prisma.sql`(v.sku ILIKE ${pattern} OR v.name ILIKE ${pattern} OR p.name ILIKE ${pattern})`);
    }
    const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
    const rows = await selectInventory(this.prisma, where, { limit: query.limit, offset: (query.page - 1) * query.limit });
    const total = rows.length
      ? (rows[0].total ?? 0)
      : query.page === 1
        ? 0
        : (
            await this.prisma.$queryRaw<{ total: number }[]>`
          SELECT count(*)::int AS total FROM variants v JOIN products p ON p.id = v.product_id
          LEFT JOIN inventory_levels il ON il.variant_id = v.id ${where}`
          )[0].total;
    return { items: rows.map(withoutTotal), page: query.page, limit: query.limit, total, totalPages: Math.ceil(total / query.limit) };
  }

  get(variantId: string): Promise<InventoryItemResponse> {
    return this.findItem(this.prisma, variantId);
  }

  async adjust(variantId: string, input: AdjustInventoryDto, actor: Actor): Promise<InventoryItemResponse> {
    if ((input.onHand === undefined) === (input.delta === undefined)) {
      const message =
        input.onHand === undefined ? 'Send onHand (the new count) or delta (a signed change)' : 'Send either onHand or delta, not both';
      throw new InvalidInputError(message, [
        { field: 'onHand', errors: [message] },
        { field: 'delta', errors: [message] },
      ]);
    }
    return this.prisma.serializable(async (tx) => {
      const level = (await this.ledger.lock(tx, [variantId])).get(variantId);
      if (!level) throw new NotFoundError('Inventory of variant', variantId);
      const target = input.onHand ?? level.onHand + (input.delta ?? 0);
      if (target < 0) {
        throw new ConflictError(`Cannot remove ${level.onHand - target} unit(s): only ${level.onHand} on hand`, {
          onHand: level.onHand,
          reserved: level.reserved,
          requestedOnHand: target,
        });
      }
      if (target < level.reserved) {
        throw new ConflictError(
          `Cannot set on hand to ${target}: ${level.reserved} unit(s) are reserved for open orders, so on hand cannot go below ${level.reserved}`,
          { onHand: level.onHand, reserved: level.reserved, requestedOnHand: target },
        );
      }
      if (target > MAX_STOCK_UNITS) {
        throw new InvalidInputError(`On hand would become ${target}, above the maximum of ${MAX_STOCK_UNITS}`, [
          { field: input.delta === undefined ? 'onHand' : 'delta', errors: [`on hand may not exceed ${MAX_STOCK_UNITS}`] },
        ]);
      }
      if (target !== level.onHand) {
        await this.ledger.apply(tx, [
          { variantId, kind: 'ADJUSTMENT', onHandDelta: target - level.onHand, reservedDelta: 0, reason: input.reason, actorId: actor.id },
        ]);
        await this.audit.record(tx, {
          actor,
          action: 'inventory.adjusted',
          entityType: 'variant',
          entityId: variantId,
          before: { onHand: level.onHand, reserved: level.reserved },
          after: { onHand: target, reserved: level.reserved, delta: target - level.onHand, reason: input.reason },
        });
      }
      return this.findItem(tx, variantId);
    });
  }

  async movements(variantId: string, query: MovementsQueryDto): Promise<MovementPageResponse> {
    const [variant, rows] = await Promise.all([
      this.prisma.variant.findUnique({ where: { id: variantId }, select: { id: true } }),
      this.prisma.stockMovement.findMany({
        where: { variantId, ...(query.before !== undefined && { id: { lt: BigInt(query.before) } }) },
        orderBy: { id: 'desc' },
        take: query.limit,
      }),
    ]);
    if (!variant) throw new NotFoundError('Variant', variantId);
    const items = rows.map((m) => ({
      id: m.id.toString(),
      kind: m.kind,
      onHandDelta: m.onHandDelta,
      reservedDelta: m.reservedDelta,
      reason: m.reason,
      orderId: m.orderId,
      actorId: m.actorId,
      createdAt: m.createdAt,
    }));
    return { items, nextCursor: rows.length === query.limit ? items[items.length - 1].id : null };
  }

  private async findItem(client: Pick<Tx, '$queryRaw'>, variantId: string): Promise<InventoryItemResponse> {
    const [row] = (await selectInventory(client, Prisma.sql`WHERE v.id = ${variantId}::uuid`)) as (InventoryRow | undefined)[];
    if (!row) throw new NotFoundError('Variant', variantId);
    return withoutTotal(row);
  }
}
