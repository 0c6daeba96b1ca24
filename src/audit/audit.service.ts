import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import type { Actor } from '../common/actor.js';
import { RequestContext } from '../common/context/request-context.js';
import { toJsonValue } from '../common/json.js';

export interface AuditEntry {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

const toJson = (v: unknown) => (v === undefined ? undefined : toJsonValue(v));

/** Append-only audit trail. Writers pass their transaction so the entry commits or rolls back with the change. */
@Injectable()
export class AuditService {
  constructor(private readonly prisma: PrismaService) {}

  async record(tx: Tx, entry: AuditEntry): Promise<void> {
    await tx.auditLog.create({ data: this.toRow(entry) });
  }

  /**
   * `record` as a raw statement, for transactions that send raw statements only (prisma.serializable's `direct`).
   */
  async append(tx: Pick<Tx, '$executeRaw'>, entry: AuditEntry): Promise<void> {
    const row = this.toRow(entry);
    const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
    await tx.$executeRaw`
      INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id, before, after, request_id)
      VALUES (${row.actorType}, ${row.actorId}, ${row.action}, ${row.entityType}, ${row.entityId}, ${json(row.before)}::jsonb,
              ${json(row.after)}::jsonb, ${row.requestId})`;
  }

  async recordMany(tx: Tx, entries: AuditEntry[]): Promise<void> {
    if (entries.length) await tx.auditLog.createMany({ data: entries.map((e) => this.toRow(e)) });
  }

  async list(filter: { entityType?: string; entityId?: string; limit: number; beforeId?: bigint }) {
    return this.prisma.auditLog.findMany({
      where: {
        ...(filter.entityType && { entityType: filter.entityType }),
        ...(filter.entityId && { entityId: filter.entityId }),
        ...(filter.beforeId !== undefined && { id: { lt: filter.beforeId } }),
      },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
  }

  /** The audit_log row of an entry, for a writer that inserts it within a statement of its own (checkout's hot path). */
  toRow(entry: AuditEntry): Prisma.AuditLogCreateManyInput {
    return {
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: toJson(entry.before),
      after: toJson(entry.after),
      requestId: RequestContext.get()?.requestId ?? null,
    };
  }
}
