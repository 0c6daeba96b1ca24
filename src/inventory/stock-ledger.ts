import { Injectable } from '@nestjs/common';
import type { StockMovementKind } from '../generated/prisma/enums.js';
import type { Tx } from '../prisma/prisma.service.js';

export interface StockLevel {
  variantId: string;
  onHand: number;
  reserved: number;
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
export class StockLedger {
  /** SELECT ... FOR UPDATE on the variants' inventory rows, always in id order so concurrent orders cannot deadlock. */
  async lock(tx: Tx, variantIds: string[]): Promise<Map<string, StockLevel>> {
    const ids = [...new Set(variantIds)].sort();
    if (!ids.length) return new Map();
    const rows = await tx.$queryRaw<{ variant_id: string; on_hand: number; reserved: number }[]>`
      SELECT variant_id::text, on_hand, reserved FROM inventory_levels
      WHERE variant_id = ANY(${ids}::uuid[]) ORDER BY variant_id FOR UPDATE`;
    return new Map(rows.map((r) => [r.variant_id, { variantId: r.variant_id, onHand: r.on_hand, reserved: r.reserved }]));
  }

  /** Applies movements: one UPDATE for all levels and one INSERT for all ledger rows. */
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
    await tx.$executeRaw`
      UPDATE inventory_levels il
      SET on_hand = il.on_hand + d.on_hand_delta, reserved = il.reserved + d.reserved_delta, updated_at = now()
      FROM unnest(${ids}::uuid[], ${ids.map((id) => totals.get(id)!.onHand)}::int[], ${ids.map((id) => totals.get(id)!.reserved)}::int[])
        AS d(variant_id, on_hand_delta, reserved_delta)
      WHERE il.variant_id = d.variant_id`;
    await tx.stockMovement.createMany({
      data: moves.map((m) => ({
        variantId: m.variantId, kind: m.kind, onHandDelta: m.onHandDelta, reservedDelta: m.reservedDelta,
        reason: m.reason ?? null, orderId: m.orderId ?? null, actorId: m.actorId ?? null,
      })),
    });
  }
}
