import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Order, OrderItem, OutboxMessage } from '../generated/prisma/client.js';
import type { OutboxStatus } from '../generated/prisma/enums.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import type { EventType, OrderEventPayload, OrderEventType } from './outbox-events.js';
import { trackingUrl } from '../common/tracking-url.js';

export interface OutboxInput {
  event: EventType;
  /** The entity the event is about (order id, variant id): lets admins find an entity's messages. */
  aggregateId: string;
  payload: unknown;
}

export interface OutboxPage {
  items: OutboxMessage[];
  nextCursor: string | null;
}

const encodeCursor = (row: Pick<OutboxMessage, 'createdAt' | 'id'>) => Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso);
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new InvalidInputError('Validation failed: cursor', [{ field: 'cursor', errors: ['cursor must be a nextCursor value from a previous page'] }]);
  }
  return { createdAt, id };
}

/**
 * The transactional outbox. Writers call `enqueue` inside the transaction that makes the change, so a message exists
 * exactly when the change committed. One row is written per destination — each notification channel that reaches the
 * customer (customer-facing events) and each active webhook endpoint subscribed to the event — in ONE INSERT ... SELECT,
 * which reads the endpoints in the same transaction. OutboxDispatcher delivers the rows.
 */
@Injectable()
export class OutboxService {
  private readonly trackingUrlTemplate?: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    this.trackingUrlTemplate = config.get('TRACKING_URL_TEMPLATE', { infer: true });
  }

  /** Queues one event in the caller's transaction; returns the number of outbox rows (destinations) written. */
  enqueue(tx: Tx, event: EventType, aggregateId: string, payload: unknown): Promise<number> {
    return this.enqueueMany(tx, [{ event, aggregateId, payload }]);
  }

  async enqueueMany(tx: Tx, messages: OutboxInput[]): Promise<number> {
    if (!messages.length) return 0;
    const channelIndex: number[] = [];
    const channelDestination: string[] = [];
    messages.forEach((m, i) => {
      for (const destination of this.notifications.destinationsFor(m.event, m.payload)) {
        channelIndex.push(i + 1);
        channelDestination.push(destination);
      }
    });
    return tx.$executeRaw`
      WITH m AS (
        SELECT * FROM unnest(${messages.map((m) => m.event)}::text[], ${messages.map((m) => m.aggregateId)}::text[], ${messages.map((m) => JSON.stringify(m.payload))}::jsonb[])
          WITH ORDINALITY AS m(event, aggregate_id, payload, idx)
      ), d AS (
        SELECT c.idx, c.destination FROM unnest(${channelIndex}::int[], ${channelDestination}::text[]) AS c(idx, destination)
        UNION ALL
        SELECT m.idx, 'webhook:' || w.id::text FROM m JOIN webhook_endpoints w ON w.active AND (m.event = ANY(w.events) OR '*' = ANY(w.events))
      )
      INSERT INTO outbox_messages (id, event, aggregate_id, destination, payload)
      SELECT gen_random_uuid(), m.event, m.aggregate_id, d.destination, m.payload FROM d JOIN m ON m.idx = d.idx`;
  }

  /** Queues an order event with a snapshot of the order (items, totals, customer contact, tracking). */
  enqueueOrderEvent(tx: Tx, event: OrderEventType, order: Order & { items: OrderItem[] }, context: { previousStatus?: string | null; reason?: string | null } = {}): Promise<number> {
    return this.enqueue(tx, event, order.id, this.orderPayload(order, context));
  }

  orderPayload(order: Order & { items: OrderItem[] }, context: { previousStatus?: string | null; reason?: string | null } = {}): OrderEventPayload {
    return {
      order: {
        id: order.id,
        number: order.number,
        status: order.status,
        previousStatus: context.previousStatus ?? null,
        paymentMethod: order.paymentMethod,
        currency: order.currency,
        subtotalMinor: order.subtotalMinor,
        totalMinor: order.totalMinor,
        items: order.items.map((i) => ({
          sku: i.sku, name: i.variantName ? `${i.productName} (${i.variantName})` : i.productName,
          quantity: i.quantity, unitPriceMinor: i.unitPriceMinor, lineTotalMinor: i.lineTotalMinor,
        })),
        customer: { name: order.customerName, email: order.email, phone: order.phone },
        shippingAddress: order.shippingAddress,
        carrier: order.carrier,
        trackingNumber: order.trackingNumber,
        trackingUrl: trackingUrl(this.trackingUrlTemplate, order),
        createdAt: order.createdAt.toISOString(),
      },
      reason: context.reason ?? null,
    };
  }

  async list(filter: { status?: OutboxStatus; event?: string; aggregateId?: string; limit: number; cursor?: string }): Promise<OutboxPage> {
    const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const rows = await this.prisma.outboxMessage.findMany({
      where: {
        ...(filter.status && { status: filter.status }),
        ...(filter.event && { event: filter.event }),
        ...(filter.aggregateId && { aggregateId: filter.aggregateId }),
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
        actor, action: 'outbox.retried', entityType: 'outbox_message', entityId: id,
        before: { status: 'FAILED', lastError: row.lastError }, after: { status: row.status, destination: row.destination, event: row.event },
      });
      return row;
    });
  }
}
