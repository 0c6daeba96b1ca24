import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { StockMovementKind } from '../generated/prisma/enums.js';
import type { Tx } from '../prisma/prisma.service.js';
import { unnestColumn } from '../prisma/unnest-column.js';
import { implementationsOf } from '../common/ports.js';
import { StockAlerts, type StockAlert } from './stock-alerts.js';

export interface StockLevel {
  variantId: string;
  onHand: number;
  reserved: number;
}

interface UpdatedLevel {
  variant_id: string;
  on_hand: number;
  reserved: number;
  on_hand_delta: number;
  reserved_delta: number;
  low_stock_threshold: number;
  sku: string;
  variant_name: string;
  product_id: string;
  product_name: string;
}

export interface StockMovementInput {
  variantId: string;
  kind: StockMovementKind;
  onHandDelta: number;
  reservedDelta: number;
  reason?: string;
  orderId?: string;
  actorId?: string;
}

/**
 * The only code that changes inventory levels. Every change is a movement row written in the same transaction,
 * so for every variant on_hand = Σ on_hand_delta and reserved = Σ reserved_delta. Callers lock first (`lock`),
 * then check, then `apply`; the database CHECKs are the last line of defence, not the check.
 */
@Injectable()
export class StockLedger implements OnModuleInit {
  private alerts: StockAlerts[] = [];

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    this.alerts = implementationsOf(this.moduleRef, StockAlerts);
  }

  /**
   * Creates empty (0 on hand, 0 reserved) inventory rows for new variants; stock then arrives through `apply`, so the
   * ledger explains every unit. Existing rows are left untouched.
   */
  async open(tx: Tx, variantIds: string[]): Promise<void> {
    const ids = [...new Set(variantIds)];
    if (ids.length) await tx.inventoryLevel.createMany({ data: ids.map((variantId) => ({ variantId })), skipDuplicates: true });
  }

  /** SELECT ... FOR UPDATE on the variants' inventory rows, always in id order so concurrent orders cannot deadlock. */
  async lock(tx: Tx, variantIds: string[]): Promise<Map<string, StockLevel>> {
    const ids = [...new Set(variantIds)].sort();
    if (!ids.length) return new Map();
    const rows = await tx.$queryRaw<{ variant_id: string; on_hand: number; reserved: number }[]>`
      SELECT variant_id::text, on_hand, reserved FROM inventory_levels
      WHERE variant_id = ANY(${ids}::uuid[]) ORDER BY variant_id FOR UPDATE`;
    return new Map(rows.map((r) => [r.variant_id, { variantId: r.variant_id, onHand: r.on_hand, reserved: r.reserved }]));
  }

  /**
   * Applies movements in ONE statement: the UPDATE of all levels and the INSERT of all ledger rows (callers hold the
   * row locks while it runs, so every round trip counts). When a variant's available stock (on hand − reserved)
   * crosses its low-stock threshold or reaches zero, the crossing is announced through the StockAlerts port.
   */
  async apply(tx: Tx, movements: StockMovementInput[]): Promise<void> {
    const moves = movements.filter((m) => m.onHandDelta !== 0 || m.reservedDelta !== 0);
    if (!moves.length) return;
    const totals = new Map<string, { onHand: number; reserved: number }>();
    for (const m of moves) {
      const t = totals.get(m.variantId) ?? { onHand: 0, reserved: 0 };
      t.onHand += m.onHandDelta;
      t.reserved += m.reservedDelta;
      totals.set(m.variantId, t);
    }
    const ids = [...totals.keys()].sort();
    const levels = await tx.$queryRaw<UpdatedLevel[]>`
      WITH levels AS (
        UPDATE inventory_levels il
        SET on_hand = il.on_hand + d.on_hand_delta, reserved = il.reserved + d.reserved_delta, updated_at = now()
        FROM unnest(${ids}::uuid[], ${ids.map((id) => totals.get(id)!.onHand)}::int[], ${ids.map((id) => totals.get(id)!.reserved)}::int[])
          AS d(variant_id, on_hand_delta, reserved_delta), variants v, products p
        WHERE il.variant_id = d.variant_id AND v.id = il.variant_id AND p.id = v.product_id
        RETURNING il.variant_id::text, il.on_hand, il.reserved, d.on_hand_delta, d.reserved_delta, v.low_stock_threshold,
                  v.sku, v.name AS variant_name, v.product_id::text, p.name AS product_name
      ), ledger AS (
        INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason, order_id, actor_id)
        SELECT m.variant_id, m.kind::"StockMovementKind", m.on_hand_delta, m.reserved_delta, m.reason, m.order_id, m.actor_id
        FROM unnest(${unnestColumn(moves, 'variantId')}::uuid[], ${unnestColumn(moves, 'kind')}::text[],
                    ${unnestColumn(moves, 'onHandDelta')}::int[], ${unnestColumn(moves, 'reservedDelta')}::int[],
                    ${unnestColumn(moves, 'reason')}::text[], ${unnestColumn(moves, 'orderId')}::uuid[], ${unnestColumn(moves, 'actorId')}::text[])
          WITH ORDINALITY AS m(variant_id, kind, on_hand_delta, reserved_delta, reason, order_id, actor_id, n)
        ORDER BY m.n
      )
      SELECT * FROM levels`;
    await this.announceThresholdCrossings(tx, levels);
  }

  /**
   * inventory.low_stock when available falls to the threshold or below (but not to zero), inventory.out_of_stock
   * when it reaches zero. Only crossings count, so a variant that stays low is not announced again on every sale.
   */
  private async announceThresholdCrossings(tx: Tx, levels: UpdatedLevel[]): Promise<void> {
    const crossings = levels.flatMap((level) => {
      const after = level.on_hand - level.reserved;
      const before = after - level.on_hand_delta + level.reserved_delta;
      const kind: StockAlert['kind'] | null =
        before > 0 && after <= 0 ? 'out_of_stock'
          : before > level.low_stock_threshold && after <= level.low_stock_threshold ? 'low_stock'
            : null;
      return kind ? [{ kind, level, available: after }] : [];
    });
    if (!crossings.length) return;
    const alerts = crossings.map(({ kind, level, available }): StockAlert => ({
      kind,
      variant: { id: level.variant_id, sku: level.sku, name: level.variant_name, productId: level.product_id, productName: level.product_name },
      onHand: level.on_hand, reserved: level.reserved, available, threshold: level.low_stock_threshold,
    }));
    for (const listener of this.alerts) await listener.announce(tx, alerts);
  }
}
