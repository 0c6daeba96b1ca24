import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { BrandsService } from '../brands/brands.service.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { nationalPhone } from '../common/http/transforms.js';
import { scheduleIntervalJob, type IntervalJob } from '../common/scheduling.js';
import { StockAlerts, type StockAnnouncement } from '../inventory/stock-alerts.js';
import { OutboxService } from '../outbox/outbox.service.js';
import type { WaitlistEventPayload, WaitlistEventType } from '../outbox/outbox-events.js';
import type { WaitlistSignUpDto, WaitlistSignUpResponse } from './dto/drops.dto.js';

/** How often this instance looks for drops that opened and whose waitlist has not been told. */
const OPEN_CHECK_INTERVAL_MS = 5_000;

interface DueEntry {
  id: string;
  phone: string | null;
  email: string | null;
  variantId: string | null;
  dropId: string | null;
}

/**
 * "Notify me". An entry is one phone or email waiting for one variant or one drop; signing up again keeps the first
 * place. Entries are told in the transaction that makes the news — the stock movement that brings a variant back
 * (restock, an expired reservation, a cancellation: the ledger's back_in_stock crossing), or the run of the job that
 * sees a drop open — by queueing one outbox message per entry and channel and marking the entry notified in the same
 * statement's transaction: exactly once, whatever retries or instances do. The messages are queued in sign-up order and
 * due 1 ms apart in that order, so the dispatcher (which takes due messages oldest first) sends them in that order.
 */
@Injectable()
export class WaitlistService extends StockAlerts implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WaitlistService.name);
  private schedule?: IntervalJob;

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxService,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService<EnvironmentVariables, true>,
    private readonly brands: BrandsService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.schedule = scheduleIntervalJob(this.scheduler, this.config, {
      name: WaitlistService.name,
      intervalMs: OPEN_CHECK_INTERVAL_MS,
      run: () => this.announceOpenedDrops(),
      logger: this.logger,
      failureMessage: 'Telling the waitlist of opened drops failed',
      brands: () => this.brands.jobBrandIds(),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.schedule?.stop();
  }

  async signUp(dto: WaitlistSignUpDto): Promise<WaitlistSignUpResponse> {
    if (!dto.phone && !dto.email) {
      throw new InvalidInputError('Give a phone or an email to be told', [{ field: 'phone', errors: ['phone or email is required'] }]);
    }
    if ((dto.variantId === undefined) === (dto.dropId === undefined)) {
      throw new InvalidInputError('Wait for one thing: a variant or a drop', [
        { field: 'variantId', errors: ['give variantId or dropId, not both'] },
      ]);
    }
    const contactKey = dto.phone ? `phone:${nationalPhone(dto.phone)}` : `email:${dto.email ?? ''}`;
    const target = dto.variantId
      ? await this.prisma.variant.findFirst({ where: { id: dto.variantId }, select: { id: true } })
      : await this.prisma.drop.findFirst({ where: { id: dto.dropId }, select: { id: true } });
    if (!target) throw new NotFoundError(dto.variantId ? 'Variant' : 'Drop', dto.variantId ?? dto.dropId);
    const [row] = await this.prisma.$queryRaw<{ position: number; created: boolean }[]>`
      WITH inserted AS (
        INSERT INTO waitlist_entries (id, variant_id, drop_id, contact_key, phone, email)
        VALUES (gen_random_uuid(), ${dto.variantId ?? null}::uuid, ${dto.dropId ?? null}::uuid, ${contactKey}, ${dto.phone ?? null}, ${dto.email ?? null})
        ON CONFLICT (brand_id, coalesce(variant_id, drop_id), contact_key) WHERE notified_at IS NULL DO NOTHING
        RETURNING seq
      ), mine AS (
        SELECT seq FROM inserted
        UNION ALL
        SELECT seq FROM waitlist_entries
         WHERE coalesce(variant_id, drop_id) = ${target.id}::uuid AND contact_key = ${contactKey} AND notified_at IS NULL
      )
      SELECT (SELECT count(*)::int FROM waitlist_entries w
               WHERE coalesce(w.variant_id, w.drop_id) = ${target.id}::uuid AND w.notified_at IS NULL AND w.seq < (SELECT min(seq) FROM mine)) + 1 AS position,
             EXISTS (SELECT 1 FROM inserted) AS created`;
    return row;
  }

  /** The StockAlerts port: a variant back in stock tells its waitlist, in the transaction that brought it back. */
  async announce(tx: Tx, announcements: StockAnnouncement[]): Promise<void> {
    const back = announcements.filter((a) => a.kind === 'back_in_stock');
    if (!back.length) return;
    const due = await tx.$queryRaw<(DueEntry & { productName: string; variantName: string; productSlug: string })[]>`
      WITH due AS (
        UPDATE waitlist_entries SET notified_at = now()
        WHERE variant_id = ANY(${back.map((a) => a.variant.id)}::uuid[]) AND notified_at IS NULL
        RETURNING id, seq, phone, email, variant_id, drop_id
      )
      SELECT due.id::text, due.phone, due.email, due.variant_id::text AS "variantId", NULL AS "dropId",
             p.name AS "productName", v.name AS "variantName", p.slug AS "productSlug"
      FROM due JOIN variants v ON v.id = due.variant_id JOIN products p ON p.id = v.product_id
      ORDER BY due.seq`;
    const available = new Map(back.map((a) => [a.variant.id, a.available]));
    await this.queue(
      tx,
      'waitlist.back_in_stock',
      due.map((entry) => ({
        entry,
        item: {
          variantId: entry.variantId ?? '',
          productName: entry.productName,
          variantName: entry.variantName,
          productSlug: entry.productSlug,
          available: available.get(entry.variantId ?? '') ?? 0,
        },
        drop: null,
      })),
    );
  }

  /** Tells the waitlists of drops that have opened (once per drop: the drop is marked in the same transaction). */
  async announceOpenedDrops(now = new Date()): Promise<number> {
    return this.prisma.serializable(async (tx) => {
      const drops = await tx.$queryRaw<{ id: string; name: string; startsAt: Date }[]>`
        UPDATE drops SET open_announced_at = now()
        WHERE id IN (SELECT id FROM drops WHERE open_announced_at IS NULL AND starts_at <= ${now} FOR UPDATE SKIP LOCKED)
        RETURNING id::text, name, starts_at AS "startsAt"`;
      if (!drops.length) return 0;
      const due = await tx.$queryRaw<DueEntry[]>`
        WITH due AS (
          UPDATE waitlist_entries SET notified_at = now()
          WHERE drop_id = ANY(${drops.map((d) => d.id)}::uuid[]) AND notified_at IS NULL
          RETURNING id, seq, phone, email, variant_id, drop_id
        )
        SELECT id::text, phone, email, variant_id::text AS "variantId", drop_id::text AS "dropId" FROM due ORDER BY seq`;
      const byId = new Map(drops.map((d) => [d.id, d]));
      await this.queue(
        tx,
        'waitlist.drop_open',
        due.map((entry) => {
          const drop = byId.get(entry.dropId ?? '');
          return { entry, item: null, drop: drop ? { id: drop.id, name: drop.name, opensAt: drop.startsAt.toISOString() } : null };
        }),
      );
      return due.length;
    });
  }

  /** Queues one message per entry (in the order given: sign-up order) and spaces their due times 1 ms apart in it. */
  private async queue(
    tx: Tx,
    event: WaitlistEventType,
    entries: { entry: DueEntry; item: WaitlistEventPayload['item']; drop: WaitlistEventPayload['drop'] }[],
  ): Promise<void> {
    if (!entries.length) return;
    await this.outbox.enqueueMany(
      tx,
      entries.map(({ entry, item, drop }) => {
        const payload: WaitlistEventPayload = {
          entryId: entry.id,
          customer: { name: '', email: entry.email, phone: entry.phone ?? '' },
          item,
          drop,
        };
        return { event, aggregateId: entry.id, payload };
      }),
    );
    // The rows just queued are due now() (stored to the millisecond): the (status, next_attempt_at) index finds them.
    await tx.$executeRaw`
      UPDATE outbox_messages o SET next_attempt_at = o.next_attempt_at + e.n * interval '1 millisecond'
      FROM unnest(${entries.map((e) => e.entry.id)}::text[]) WITH ORDINALITY AS e(id, n)
      WHERE o.status = 'PENDING' AND o.next_attempt_at = now()::timestamptz(3) AND o.aggregate_id = e.id`;
  }
}
