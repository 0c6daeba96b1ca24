import { Injectable } from '@nestjs/common';
import type { Drop } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { CatalogueWrites } from '../live/catalogue-writes.js';
import { DropCatalog } from './drop-catalog.js';
import { contactKeyOf, dropPhase, hashAccessCode } from './drop-rules.js';
import type {
  AccessListUploadDto,
  AccessListUploadResponse,
  CreateDropDto,
  DropResponse,
  DropVariantResponse,
  UpdateDropDto,
} from './dto/drops.dto.js';

interface VariantCountsRow {
  variantId: string;
  productId: string;
  sku: string;
  productName: string;
  variantName: string;
  sold: number;
  reserved: number;
  remaining: number;
  waitlist: number;
}

/** Drops for staff: create and edit them, list who has early access, read live counts, end one early. All audited. */
@Injectable()
export class DropsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly catalog: DropCatalog,
    private readonly catalogueWrites: CatalogueWrites,
  ) {}

  async list(): Promise<DropResponse[]> {
    const drops = await this.prisma.drop.findMany({ orderBy: [{ startsAt: 'desc' }, { id: 'asc' }], take: 200 });
    return Promise.all(drops.map((drop) => this.describe(drop)));
  }

  async get(id: string): Promise<DropResponse> {
    return this.describe(await this.find(id));
  }

  async create(dto: CreateDropDto, actor: Actor): Promise<DropResponse> {
    const created = await this.prisma.serializable(async (tx) => {
      const variantIds = await this.variantsOf(tx, dto.productIds, dto.variantIds);
      if (!variantIds.length) {
        throw new InvalidInputError('A drop needs at least one variant', [
          { field: 'variantIds', errors: ['give productIds or variantIds of existing variants'] },
        ]);
      }
      const fields = this.fields(dto);
      checkWindows({ startsAt: dto.startsAt, endsAt: fields.endsAt ?? null, earlyAccessStartsAt: fields.earlyAccessStartsAt ?? null });
      const drop = await tx.drop.create({
        data: { name: dto.name, startsAt: dto.startsAt, ...fields, variants: { create: variantIds.map((variantId) => ({ variantId })) } },
      });
      await this.audit.record(tx, {
        actor,
        action: 'drop.created',
        entityType: 'drop',
        entityId: drop.id,
        after: { ...auditView(drop), variantIds },
      });
      await this.productsChanged(tx, drop.id);
      return drop;
    });
    this.catalog.invalidate();
    return this.describe(created);
  }

  async update(id: string, dto: UpdateDropDto, actor: Actor): Promise<DropResponse> {
    const updated = await this.prisma.serializable(async (tx) => {
      const before = await this.find(id, tx);
      const fields = this.fields(dto);
      checkWindows({
        startsAt: dto.startsAt ?? before.startsAt,
        endsAt: fields.endsAt === undefined ? before.endsAt : fields.endsAt,
        earlyAccessStartsAt: fields.earlyAccessStartsAt === undefined ? before.earlyAccessStartsAt : fields.earlyAccessStartsAt,
      });
      // The catalogue shows the drop on its products: those it leaves and those it joins change.
      await this.productsChanged(tx, id);
      let variantIds: string[] | undefined;
      if (dto.productIds || dto.variantIds) {
        variantIds = await this.variantsOf(tx, dto.productIds, dto.variantIds);
        if (!variantIds.length)
          throw new InvalidInputError('A drop needs at least one variant', [{ field: 'variantIds', errors: ['no variants given'] }]);
        await tx.dropVariant.deleteMany({ where: { dropId: id } });
        await tx.dropVariant.createMany({ data: variantIds.map((variantId) => ({ dropId: id, variantId })) });
      }
      const drop = await tx.drop.update({
        where: { id },
        data: {
          ...(dto.name !== undefined && { name: dto.name }),
          ...(dto.startsAt !== undefined && { startsAt: dto.startsAt }),
          ...fields,
        },
      });
      await this.audit.record(tx, {
        actor,
        action: 'drop.updated',
        entityType: 'drop',
        entityId: id,
        before: auditView(before),
        after: { ...auditView(drop), ...(variantIds && { variantIds }) },
      });
      if (variantIds) await this.productsChanged(tx, id);
      return drop;
    });
    this.catalog.invalidate();
    return this.describe(updated);
  }

  /** Ends the drop now: checkouts of its variants are refused from this moment (other instances within a second). */
  async end(id: string, actor: Actor): Promise<DropResponse> {
    const ended = await this.prisma.serializable(async (tx) => {
      const before = await this.find(id, tx);
      const now = new Date();
      if (before.endsAt && before.endsAt <= now) throw new ConflictError(`The drop already ended at ${before.endsAt.toISOString()}`);
      if (before.startsAt >= now) throw new ConflictError('The drop has not started; change its times or delete it instead');
      const drop = await tx.drop.update({ where: { id }, data: { endsAt: now } });
      await this.audit.record(tx, {
        actor,
        action: 'drop.ended',
        entityType: 'drop',
        entityId: id,
        before: auditView(before),
        after: auditView(drop),
      });
      await this.productsChanged(tx, id);
      return drop;
    });
    this.catalog.invalidate();
    return this.describe(ended);
  }

  async uploadAccessList(id: string, dto: AccessListUploadDto, actor: Actor): Promise<AccessListUploadResponse> {
    const keys = new Set<string>();
    const skippedLines: number[] = [];
    dto.csv.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      const found = line.split(/[,;\t]/).flatMap((cell) => contactKeyOf(cell) ?? []);
      if (found.length) for (const key of found) keys.add(key);
      else if (i > 0 && skippedLines.length < 50) skippedLines.push(i + 1);
    });
    return this.prisma.serializable(async (tx) => {
      await this.find(id, tx);
      if (dto.replace) await tx.dropAccessEntry.deleteMany({ where: { dropId: id } });
      const { count: added } = await tx.dropAccessEntry.createMany({
        data: [...keys].map((contactKey) => ({ dropId: id, contactKey })),
        skipDuplicates: true,
      });
      const total = await tx.dropAccessEntry.count({ where: { dropId: id } });
      await this.audit.record(tx, {
        actor,
        action: 'drop.access_list_uploaded',
        entityType: 'drop',
        entityId: id,
        after: { added, total, replaced: dto.replace ?? false },
      });
      return { added, total, skippedLines };
    });
  }

  /**
   * This instance's product read cache forgets the drop's products as soon as the transaction commits (other instances
   * hear it from the drop tables' triggers), so the catalogue's purchasable flag and drop window follow the edit.
   */
  private async productsChanged(tx: Tx, dropId: string): Promise<void> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT DISTINCT v.product_id::text AS id FROM drop_variants dv JOIN variants v ON v.id = dv.variant_id WHERE dv.drop_id = ${dropId}::uuid`;
    this.catalogueWrites.changed(
      tx,
      rows.map((r) => r.id),
    );
  }

  private async find(id: string, tx: Tx | PrismaService = this.prisma): Promise<Drop> {
    const drop = await tx.drop.findFirst({ where: { id } });
    if (!drop) throw new NotFoundError('Drop', id);
    return drop;
  }

  /** The optional fields as columns: undefined leaves a column, null clears it. */
  private fields(dto: CreateDropDto | UpdateDropDto) {
    return {
      ...(dto.endsAt !== undefined && { endsAt: dto.endsAt }),
      ...(dto.earlyAccessStartsAt !== undefined && { earlyAccessStartsAt: dto.earlyAccessStartsAt }),
      ...(dto.accessCode !== undefined && { accessCodeHash: dto.accessCode === null ? null : hashAccessCode(dto.accessCode) }),
      ...(dto.perCustomerLimit !== undefined && { perCustomerLimit: dto.perCustomerLimit }),
      ...(dto.perVariantLimit !== undefined && { perVariantLimit: dto.perVariantLimit }),
      ...(dto.perOrderLimit !== undefined && { perOrderLimit: dto.perOrderLimit }),
    };
  }

  private async variantsOf(tx: Tx, productIds: string[] = [], variantIds: string[] = []): Promise<string[]> {
    const rows = await tx.variant.findMany({
      where: { OR: [{ productId: { in: productIds } }, { id: { in: variantIds } }] },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const found = new Set(rows.map((r) => r.id));
    const missing = variantIds.flatMap((v, i) => (found.has(v) ? [] : [{ field: `variantIds.${i}`, errors: ['no such variant'] }]));
    if (missing.length) throw new InvalidInputError('Unknown variants', missing);
    return [...found];
  }

  /** The drop with its live counts: sold in its window, reserved and remaining per variant, waitlist, access list. */
  private async describe(drop: Drop): Promise<DropResponse> {
    const opens = drop.earlyAccessStartsAt ?? drop.startsAt;
    const variants = await this.prisma.$queryRaw<VariantCountsRow[]>`
      SELECT v.id::text AS "variantId", v.product_id::text AS "productId", v.sku, p.name AS "productName", v.name AS "variantName",
             coalesce(il.reserved, 0) AS reserved, coalesce(il.on_hand - il.reserved, 0) AS remaining,
             (SELECT coalesce(sum(oi.quantity), 0)::int FROM order_items oi JOIN orders o ON o.id = oi.order_id
               WHERE oi.variant_id = v.id AND o.created_at >= ${opens} AND (${drop.endsAt}::timestamptz IS NULL OR o.created_at < ${drop.endsAt})
                 AND o.status NOT IN ('CANCELLED', 'EXPIRED')) AS sold,
             (SELECT count(*)::int FROM waitlist_entries w WHERE w.variant_id = v.id AND w.notified_at IS NULL) AS waitlist
      FROM drop_variants dv JOIN variants v ON v.id = dv.variant_id JOIN products p ON p.id = v.product_id
      LEFT JOIN inventory_levels il ON il.variant_id = v.id
      WHERE dv.drop_id = ${drop.id}::uuid
      ORDER BY p.name, v.position, v.sku`;
    const [{ accessListSize, dropWaitlist }] = await this.prisma.$queryRaw<{ accessListSize: number; dropWaitlist: number }[]>`
      SELECT (SELECT count(*)::int FROM drop_access_entries WHERE drop_id = ${drop.id}::uuid) AS "accessListSize",
             (SELECT count(*)::int FROM waitlist_entries WHERE drop_id = ${drop.id}::uuid AND notified_at IS NULL) AS "dropWaitlist"`;
    const sum = (pick: (v: DropVariantResponse) => number) => variants.reduce((n, v) => n + pick(v), 0);
    return {
      id: drop.id,
      name: drop.name,
      phase: dropPhase(drop, Date.now()),
      startsAt: drop.startsAt,
      endsAt: drop.endsAt,
      earlyAccessStartsAt: drop.earlyAccessStartsAt,
      hasAccessCode: drop.accessCodeHash !== null,
      perCustomerLimit: drop.perCustomerLimit,
      perVariantLimit: drop.perVariantLimit,
      perOrderLimit: drop.perOrderLimit,
      accessListSize,
      sold: sum((v) => v.sold),
      remaining: sum((v) => v.remaining),
      waitlist: dropWaitlist + sum((v) => v.waitlist),
      serverTime: new Date(),
      variants,
    };
  }
}

function checkWindows(drop: { startsAt: Date; endsAt: Date | null; earlyAccessStartsAt: Date | null }): void {
  if (drop.endsAt && drop.endsAt <= drop.startsAt)
    throw new InvalidInputError('The drop must end after it starts', [{ field: 'endsAt', errors: ['must be after startsAt'] }]);
  if (drop.earlyAccessStartsAt && drop.earlyAccessStartsAt >= drop.startsAt) {
    throw new InvalidInputError('Early access must start before the drop', [
      { field: 'earlyAccessStartsAt', errors: ['must be before startsAt'] },
    ]);
  }
}

/** What the audit trail keeps of a drop: everything but the access code's hash (whether one is set is enough). */
function auditView(drop: Drop) {
  const { accessCodeHash, ...rest } = drop;
  return { ...rest, hasAccessCode: accessCodeHash !== null };
}
