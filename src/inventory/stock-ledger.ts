import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import type { StockAlert, StockMovementKind } from '../generated/prisma/enums.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import { unnestColumn } from '../prisma/unnest-column.js';
import { WriteBatch } from '../prisma/write-batch.js';
import { withLiterals } from '../prisma/direct-sql.js';
import { implementationsOf } from '../common/ports.js';
import { StockAlerts, type StockAnnouncement } from './stock-alerts.js';
import { CatalogueWrites } from '../live/catalogue-writes.js';

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
  stock_alert: StockAlert;
  previous_alert: StockAlert;
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
  /** LOW_STOCK_MARGIN: how far above the threshold (or above zero, after a sell-out) stock must rise to be announced again. */
  private readonly margin: number;
  private alerts: StockAlerts[] = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    config: ConfigService<EnvironmentVariables, true>,
    private readonly catalogueWrites: CatalogueWrites,
  ) {
    this.margin = config.get('LOW_STOCK_MARGIN', { infer: true });
  }

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

  /**
   * SELECT ... FOR UPDATE on the variants' inventory rows, always in id order so concurrent orders cannot deadlock.
   * `first`: the transaction's first statement. Its ids are then written into the text (withLiterals) instead of sent
   * as a parameter: a statement without parameters goes out with the transaction's BEGIN, so a direct transaction
   * (direct-sql.ts) opens and locks in one round trip, and its snapshot is taken under the lock. (Elsewhere the ids stay
   * a parameter: one prepared statement for every call.)
   */
  async lock(tx: Tx, variantIds: string[], { first = false } = {}): Promise<Map<string, StockLevel>> {
    const ids = [...new Set(variantIds)].sort();
    if (!ids.length) return new Map();
    const matching = first ? Prisma.sql`IN (${Prisma.join(ids)})` : Prisma.sql`= ANY(${ids}::uuid[])`;
    const query = Prisma.sql`
      SELECT variant_id::text, on_hand, reserved FROM inventory_levels
      WHERE variant_id ${matching} ORDER BY variant_id FOR UPDATE`;
    const rows = await tx.$queryRaw<{ variant_id: string; on_hand: number; reserved: number }[]>(first ? withLiterals(query) : query);
    return new Map(rows.map((r) => [r.variant_id, { variantId: r.variant_id, onHand: r.on_hand, reserved: r.reserved }]));
  }

  /**
   * Applies movements in ONE statement: the lock of the levels (in variant order, as `lock` takes them: a caller that
   * checked availability holds them already), the UPDATE of all levels and the INSERT of all ledger rows (the row
   * locks are held while it runs, so every round trip counts). The same UPDATE moves each variant's stock alert (see
   * announceStockAlerts) and returns the alert before and after, from which the announcements are made.
   */
  async apply(tx: Tx, movements: StockMovementInput[]): Promise<void> {
    const batch = new WriteBatch();
    this.applyIn(batch, tx, movements);
    await batch.run(tx);
  }

  /** `apply` as part of the caller's statement (CTEs ledger_levels, ledger_moves): for checkout, one round trip in all. */
  applyIn(batch: WriteBatch, tx: Tx, movements: StockMovementInput[]): void {
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
    const deltas = ids.map((id) => totals.get(id) ?? { onHand: 0, reserved: 0 });
    const available = Prisma.sql`(il.on_hand + d.on_hand_delta - il.reserved - d.reserved_delta)`;
    // Every row the UPDATE changes comes through ledger_locked, which locks in variant order before handing a row on, so
    // concurrent movements of overlapping variants cannot deadlock (a caller that checked availability holds them already).
    // Its stock_alert is the alert before the movement: a locked row is the latest version even at READ COMMITTED (a
    // plain join would read the statement's snapshot, older than the lock when the lock waited).
    batch
      .with(
        'ledger_locked',
        Prisma.sql`SELECT variant_id, stock_alert FROM inventory_levels WHERE variant_id = ANY(${ids}::uuid[]) ORDER BY variant_id FOR UPDATE`,
      )
      .with(
        'ledger_levels',
        Prisma.sql`
        UPDATE inventory_levels il
        SET on_hand = il.on_hand + d.on_hand_delta, reserved = il.reserved + d.reserved_delta, updated_at = now(),
            stock_alert = (CASE
              WHEN ${available} <= 0 THEN 'OUT'
              WHEN il.stock_alert = 'OUT' AND ${available} <= ${this.margin}::int THEN 'OUT'
              WHEN ${available} > v.low_stock_threshold + ${this.margin}::int THEN 'CLEAR'
              WHEN il.stock_alert = 'CLEAR' AND ${available} > v.low_stock_threshold THEN 'CLEAR'
              ELSE 'LOW' END)::"StockAlert"
        FROM unnest(${ids}::uuid[], ${deltas.map((t) => t.onHand)}::int[], ${deltas.map((t) => t.reserved)}::int[])
          AS d(variant_id, on_hand_delta, reserved_delta), ledger_locked, variants v, products p
        WHERE ledger_locked.variant_id = d.variant_id AND il.variant_id = d.variant_id
          AND v.id = il.variant_id AND p.id = v.product_id
        RETURNING il.variant_id::text, il.on_hand, il.reserved, d.on_hand_delta, d.reserved_delta, v.low_stock_threshold,
                  il.stock_alert, ledger_locked.stock_alert AS previous_alert, v.sku, v.name AS variant_name, v.product_id::text, p.name AS product_name`,
      )
      .with(
        'ledger_moves',
        Prisma.sql`
        INSERT INTO stock_movements (variant_id, kind, on_hand_delta, reserved_delta, reason, order_id, actor_id)
        SELECT m.variant_id, m.kind::"StockMovementKind", m.on_hand_delta, m.reserved_delta, m.reason, m.order_id, m.actor_id
        FROM unnest(${unnestColumn(moves, 'variantId')}::uuid[], ${unnestColumn(moves, 'kind')}::text[],
                    ${unnestColumn(moves, 'onHandDelta')}::int[], ${unnestColumn(moves, 'reservedDelta')}::int[],
                    ${unnestColumn(moves, 'reason')}::text[], ${unnestColumn(moves, 'orderId')}::uuid[], ${unnestColumn(moves, 'actorId')}::text[])
          WITH ORDINALITY AS m(variant_id, kind, on_hand_delta, reserved_delta, reason, order_id, actor_id, n)
        ORDER BY m.n`,
      )
      .returning<UpdatedLevel[]>('ledger_levels', Prisma.sql`(SELECT coalesce(json_agg(l), '[]') FROM ledger_levels l)`, async (levels) => {
        this.catalogueWrites.changed(
          tx,
          levels.map((l) => l.product_id),
        );
        await this.announceStockAlerts(tx, levels);
      });
  }

  /**
   * Announcements, through the StockAlerts port, with hysteresis, so stock moving back and forth across a line (reservations taken and expiring
   * during a drop) does not flood the brand's webhooks:
   * - inventory.low_stock once when available falls to the threshold (from above it); not again until available has
   *   risen above threshold + LOW_STOCK_MARGIN;
   * - inventory.out_of_stock once when available reaches zero;
   * - inventory.back_in_stock once, after that, when available rises above LOW_STOCK_MARGIN (it may still be low:
   *   the payload says how much there is; low stock is then announced only after a rise above threshold + margin).
   * Stock that only rises into the low range (a variant's opening stock) announces nothing.
   */
  private async announceStockAlerts(tx: Tx, levels: UpdatedLevel[]): Promise<void> {
    const crossings = levels.flatMap((level) => {
      const available = level.on_hand - level.reserved;
      const fell = level.on_hand_delta - level.reserved_delta < 0;
      const { previous_alert: before, stock_alert: after } = level;
      const kind: StockAnnouncement['kind'] | null =
        after === 'OUT' && before !== 'OUT'
          ? 'out_of_stock'
          : before === 'OUT' && after !== 'OUT'
            ? 'back_in_stock'
            : before === 'CLEAR' && after === 'LOW' && fell
              ? 'low_stock'
              : null;
      return kind ? [{ kind, level, available }] : [];
    });
    if (!crossings.length) return;
    const announcements = crossings.map(({ kind, level, available }): StockAnnouncement => ({
      kind,
      variant: {
        id: level.variant_id,
        sku: level.sku,
        name: level.variant_name,
        productId: level.product_id,
        productName: level.product_name,
      },
      onHand: level.on_hand,
      reserved: level.reserved,
      available,
      threshold: level.low_stock_threshold,
    }));
    for (const listener of this.alerts) await listener.announce(tx, announcements);
  }
}
