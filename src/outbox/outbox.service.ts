import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Prisma, type OutboxMessage } from '../generated/prisma/client.js';
import type { OutboxStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { WriteBatch } from '../prisma/write-batch.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { implementationsOf } from '../common/ports.js';
import type { EventType } from './outbox-events.js';
import { OutboxDestination, type OutboxInput } from './outbox-destination.js';

export interface OutboxPage {
  items: OutboxMessage[];
  nextCursor: string | null;
}

const encodeCursor = (row: Pick<OutboxMessage, 'createdAt' | 'id'>) =>
  Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso);
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new InvalidInputError('Validation failed: cursor', [
      { field: 'cursor', errors: ['cursor must be a nextCursor value from a previous page'] },
    ]);
  }
  return { createdAt, id };
}

/**
 * The transactional outbox. Writers call `enqueue` inside the transaction that makes the change, so a message exists
 * exactly when the change committed. One row is written per destination that the OutboxDestination implementations
 * name (customer notification channels, brand webhook endpoints subscribed to the event), in ONE INSERT ... SELECT that
 * runs their target queries in the same transaction. OutboxDispatcher delivers the rows.
 */
@Injectable()
export class OutboxService implements OnModuleInit {
  private destinations: OutboxDestination[] = [];

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.destinations = implementationsOf(this.moduleRef, OutboxDestination);
  }

  /** Queues one event in the caller's transaction; returns the number of outbox rows (destinations) written. */
  enqueue(tx: Tx, event: EventType, aggregateId: string, payload: unknown): Promise<number> {
    return this.enqueueMany(tx, [{ event, aggregateId, payload }]);
  }

  async enqueueMany(tx: Tx, messages: OutboxInput[]): Promise<number> {
    let written = 0;
    const batch = new WriteBatch();
    this.enqueueIn(batch, messages, (rows) => (written = rows));
    await batch.run(tx);
    return written;
  }

  /**
   * `enqueueMany` as part of the caller's statement (CTEs m, d, outbox_rows: the destinations' target queries read
   * m); `written` gets the number of outbox rows.
   */
  enqueueIn(batch: WriteBatch, messages: OutboxInput[], written?: (rows: number) => void): void {
    if (!messages.length) return;
    const targets = this.destinations.flatMap((d) => {
      const sql = d.destinationsOf(messages);
      return sql ? [Prisma.sql`SELECT * FROM (${sql}) AS t(idx, destination)`] : [];
    });
    if (!targets.length) return;
    batch
      .with(
        'm',
        // The payloads travel as one JSON array, not a jsonb[]: no array literal to escape here and unescape there
        // before each payload is parsed (a 500-message batch spent more on that than on the insert).
        Prisma.sql`SELECT * FROM ROWS FROM (unnest(${messages.map((m) => m.event)}::text[]), unnest(${messages.map((m) => m.aggregateId)}::text[]),
                    jsonb_array_elements(${JSON.stringify(messages.map((m) => m.payload))}::jsonb))
          WITH ORDINALITY AS m(event, aggregate_id, payload, idx)`,
      )
      .with('d', Prisma.join(targets, ' UNION ALL '))
      .with(
        'outbox_rows',
        Prisma.sql`INSERT INTO outbox_messages (id, event, aggregate_id, destination, payload)
      SELECT gen_random_uuid(), m.event, m.aggregate_id, d.destination, m.payload FROM d JOIN m ON m.idx = d.idx RETURNING 1`,
      );
    if (written) batch.returning<number>('outbox_rows', Prisma.sql`(SELECT count(*)::int FROM outbox_rows)`, written);
  }

  async list(filter: {
    status?: OutboxStatus;
    event?: string;
    aggregateId?: string;
    destination?: string;
    limit: number;
    cursor?: string;
  }): Promise<OutboxPage> {
    const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const rows = await this.prisma.outboxMessage.findMany({
      where: {
        ...(filter.status && { status: filter.status }),
        ...(filter.event && { event: filter.event }),
        ...(filter.aggregateId && { aggregateId: filter.aggregateId }),
        ...(filter.destination && { destination: filter.destination }),
        ...(after && { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit + 1,
    });
    const items = rows.slice(0, filter.limit);
    return { items, nextCursor: rows.length > filter.limit ? encodeCursor(items[items.length - 1]) : null };
  }

  /** Sends a dead-lettered message back to the queue with a fresh set of attempts, due now. */
  async retry(id: string, actor: Actor): Promise<OutboxMessage> {
    return this.prisma.serializable(async (tx) => {
      const changed = await tx.$executeRaw`
        UPDATE outbox_messages SET status = 'PENDING', attempts = 0, next_attempt_at = now()
        WHERE id = ${id}::uuid AND status = 'FAILED'`;
      const row = await tx.outboxMessage.findUnique({ where: { id } });
      if (!row) throw new NotFoundError('Outbox message', id);
      if (!changed) throw new ConflictError(`Outbox message ${id} is ${row.status}; only FAILED messages can be retried`);
      await this.audit.record(tx, {
        actor,
        action: 'outbox.retried',
        entityType: 'outbox_message',
        entityId: id,
        before: { status: 'FAILED', lastError: row.lastError },
        after: { status: row.status, destination: row.destination, event: row.event },
      });
      return row;
    });
  }
}
