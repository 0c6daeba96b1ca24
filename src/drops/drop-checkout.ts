import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { WriteBatch } from '../prisma/write-batch.js';
import { TransactionConflictError } from '../common/errors/domain-errors.js';
import { DropCatalog } from './drop-catalog.js';
import { DropOrderClaims, type CounterClaim } from './drop-order-claims.js';
import {
  assertCounterWithinLimit,
  customerKeys,
  dropPhase,
  DropEndedError,
  DropLimitError,
  DropNotOpenError,
  EarlyAccessOnlyError,
  hashAccessCode,
  type DropRules,
  WHOLE_DROP,
} from './drop-rules.js';

/** What one checkout takes from one drop, and under which identities it is counted. */
export interface DropClaim {
  drop: DropRules;
  /** phone, email and account keys of the customer (see customerKeys). */
  customerKeys: string[];
  /** Units per variant of the drop in this order. */
  units: Map<string, number>;
}

export interface DropCustomer {
  contact: { phone: string; email?: string | null };
  userId?: string;
  accessCode?: string;
}

/**
 * The drop rules of checkout. `admit` runs before the transaction and refuses, without touching stock, a cart that a
 * drop does not allow now (not open: 409 with the opening time; early access for others: 403; ended; over a limit
 * within this one order). `claim` runs inside the checkout transaction: it raises the customer's counters and checks
 * the raised values, so no interleaving of parallel checkouts of one customer can exceed a limit.
 */
@Injectable()
export class DropCheckout {
  constructor(
    private readonly catalog: DropCatalog,
    private readonly prisma: PrismaService,
    private readonly orderClaims: DropOrderClaims,
  ) {}

  async admit(demand: Map<string, { quantity: number }>, customer: DropCustomer, now = Date.now()): Promise<DropClaim[]> {
    const governing = await this.catalog.forVariants(demand.keys());
    if (!governing.size) return [];
    const claims = new Map<string, DropClaim>();
    for (const [variantId, drop] of governing) {
      let claim = claims.get(drop.id);
      if (!claim) claims.set(drop.id, (claim = { drop, customerKeys: customerKeys(customer.contact, customer.userId), units: new Map() }));
      claim.units.set(variantId, demand.get(variantId)?.quantity ?? 0);
    }
    for (const { drop, customerKeys: keys, units } of claims.values()) {
      const phase = dropPhase(drop, now);
      if (phase === 'ended' && drop.endsAt) throw new DropEndedError(drop, drop.endsAt);
      if (phase === 'scheduled') throw new DropNotOpenError(drop);
      if (phase === 'early_access' && !(await this.hasEarlyAccess(drop, keys, customer.accessCode))) throw new EarlyAccessOnlyError(drop);
      const total = [...units.values()].reduce((sum, n) => sum + n, 0);
      if (drop.perOrderLimit !== null && total > drop.perOrderLimit) throw new DropLimitError(drop, 'order', drop.perOrderLimit);
      // Already over within this one order: no need to read the counters.
      if (drop.perCustomerLimit !== null && total > drop.perCustomerLimit) throw new DropLimitError(drop, 'drop', drop.perCustomerLimit);
      for (const [variantId, quantity] of units)
        if (drop.perVariantLimit !== null && quantity > drop.perVariantLimit)
          throw new DropLimitError(drop, 'variant', drop.perVariantLimit, variantId);
    }
    const admitted = [...claims.values()];
    await this.openCounters(admitted);
    return admitted;
  }

  /**
   * Creates the customer's counter rows (at zero) before the transaction, in their own statement. Inside the
   * Serializable transaction `claim` then only UPDATEs rows found by primary key, which PostgreSQL's serializable
   * checks track per row: buyers of one drop do not abort each other, as an INSERT ... ON CONFLICT inside the
   * transaction would (its index probe locks whole index pages, so concurrent first-time buyers collide).
   */
  private async openCounters(claims: DropClaim[]): Promise<void> {
    const rows = counterRows(claims);
    if (!rows.length) return;
    // Without waiting for the disk (synchronous_commit off for this statement's transaction): a checkout that counts
    // on these rows commits after them, and its own flush carries them; one that never commits needs none.
    await this.prisma.direct.$executeRaw`
      WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
      INSERT INTO drop_purchase_counts (drop_id, customer_key, scope, quantity)
      SELECT r.drop_id, r.customer_key, r.scope, 0
      FROM async_commit, unnest(${rows.map((r) => r.dropId)}::uuid[], ${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.scope)}::text[])
        WITH ORDINALITY AS r(drop_id, customer_key, scope, n)
      ORDER BY r.n
      ON CONFLICT (brand_id, drop_id, customer_key, scope) DO NOTHING`;
  }

  /**
   * Inside the checkout transaction, in its write batch (no round trip of its own, while the stock rows are locked):
   * raises every counter row of the claims (customer identity × scope) and checks the raised values once the batch
   * ran, failing it (the transaction rolls back) over a limit. Each row is found by its full primary key (the
   * row-level security adds the brand), so the serializable checks lock just that row. A parallel checkout of the same
   * customer waits on the row lock and, under Serializable, starts over and sees the raised count. What the order
   * raised is recorded with it, so cancelling or expiring the order gives the units back.
   */
  claimIn(batch: WriteBatch, orderId: string, claims: DropClaim[]): void {
    const rows = counterRows(claims);
    if (!rows.length) return;
    // One UPDATE per row, each finding its row by the full key (a join of the rows could read the table's whole index,
    // and a planner that thinks the table tiny picks that). Each waits for the one before (the EXISTS), so the rows are
    // locked in key order and two checkouts sharing rows cannot deadlock.
    rows.forEach((row, i) => {
      const after = i ? Prisma.sql`AND EXISTS (SELECT FROM ${Prisma.raw(`drop_counter_${i - 1}`)})` : Prisma.empty;
      batch.with(
        `drop_counter_${i}`,
        Prisma.sql`
          UPDATE drop_purchase_counts SET quantity = quantity + ${row.quantity}::int
          WHERE drop_id = ${row.dropId}::uuid AND customer_key = ${row.key} AND scope = ${row.scope} ${after}
          RETURNING drop_id::text, scope, quantity`,
      );
    });
    const raisedRows = Prisma.join(
      rows.map((_, i) => Prisma.sql`SELECT * FROM ${Prisma.raw(`drop_counter_${i}`)}`),
      ' UNION ALL ',
    );
    batch.returning<{ dropId: string; scope: string; quantity: number }[] | null>(
      'drop_counters',
      Prisma.sql`(SELECT json_agg(json_build_object('dropId', drop_id, 'scope', scope, 'quantity', quantity)) FROM (${raisedRows}) raised)`,
      (raised) => {
        // Each row is made at admission; if one is gone, the checkout is refused (409, retry) rather than go uncounted.
        if ((raised?.length ?? 0) !== rows.length) throw new TransactionConflictError(1);
        for (const row of raised ?? []) {
          const drop = claims.find((c) => c.drop.id === row.dropId)?.drop;
          if (drop) assertCounterWithinLimit(drop, row);
        }
      },
    );
    this.orderClaims.recordIn(batch, orderId, rows);
  }

  private async hasEarlyAccess(drop: DropRules, keys: string[], accessCode?: string): Promise<boolean> {
    if (accessCode && drop.accessCodeHash && hashAccessCode(accessCode) === drop.accessCodeHash) return true;
    const listed = await this.prisma.dropAccessEntry.findFirst({
      where: { dropId: drop.id, contactKey: { in: keys } },
      select: { dropId: true },
    });
    return listed !== null;
  }
}

/** The counter rows of the claims: each identity × (the whole drop, if limited; each variant, if limited), in key order. */
function counterRows(claims: DropClaim[]): CounterClaim[] {
  const rows: CounterClaim[] = [];
  for (const { drop, customerKeys: keys, units } of claims) {
    const total = [...units.values()].reduce((sum, n) => sum + n, 0);
    for (const key of keys) {
      if (drop.perCustomerLimit !== null) rows.push({ dropId: drop.id, key, scope: WHOLE_DROP, quantity: total });
      if (drop.perVariantLimit !== null)
        for (const [variantId, quantity] of units) rows.push({ dropId: drop.id, key, scope: variantId, quantity });
    }
  }
  // Rows are locked in this order (DropOrderClaims gives units back in it too): two transactions sharing rows take them
  // in the same order and cannot deadlock.
  return rows.sort((a, b) => (a.dropId + a.key + a.scope < b.dropId + b.key + b.scope ? -1 : 1));
}
