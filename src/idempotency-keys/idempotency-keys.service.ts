import { Injectable } from '@nestjs/common';
import type { IdempotencyKey } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, NotFoundError } from '../common/errors/domain-errors.js';
import { toJsonValue } from '../common/json.js';
import { toOrderResponse } from '../orders/order-response.js';
import { toRefund } from '../payments/dto/payments.dto.js';
import type { IdempotencyKeyResolution, IdempotencyKeyResponse, IdempotencyKeysQueryDto } from './dto/idempotency-keys.dto.js';

/** How long resolve waits for a request that is inside its transaction right now before answering 409. */
const LOCK_WAIT = '5s';

const toResponse = (k: IdempotencyKey): IdempotencyKeyResponse => ({
  id: k.id,
  scope: k.scope,
  key: k.key,
  status: k.status,
  method: k.requestMethod,
  path: k.requestPath,
  records: k.records,
  responseStatus: k.responseStatus,
  createdAt: k.createdAt,
  expiresAt: k.expiresAt,
});

/**
 * Admins' view of idempotency keys, for the ones a crash left IN_PROGRESS (they would block retries with the same key
 * for 24 hours). Resolving one looks at what its request committed — the order or refunds that reference the key —
 * with the key row locked: the key then replays that outcome, or, when nothing was committed, is released. Releasing
 * deletes the row, and the foreign keys from orders and refunds make that final: the original request, were it still
 * running, can no longer commit under the key. Never a second order.
 */
@Injectable()
export class IdempotencyKeysService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  async list(query: IdempotencyKeysQueryDto): Promise<IdempotencyKeyResponse[]> {
    const rows = await this.prisma.idempotencyKey.findMany({
      where: {
        status: query.state === 'completed' ? 'COMPLETED' : 'IN_PROGRESS',
        ...(query.olderThanSeconds !== undefined && { createdAt: { lte: new Date(Date.now() - query.olderThanSeconds * 1000) } }),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: query.limit,
    });
    return rows.map(toResponse);
  }

  async resolve(id: string, actor: Actor): Promise<IdempotencyKeyResolution> {
    return this.prisma.$transaction(async (tx) => {
      const key = await this.lock(tx, id);
      if (key.status !== 'IN_PROGRESS') throw new ConflictError(`Idempotency key ${id} is not in progress (${key.status})`);
      const order = await tx.order.findUnique({ where: { idempotencyKeyId: id }, include: { items: true } });
      const refunds = order ? [] : await tx.refund.findMany({ where: { idempotencyKeyId: id }, orderBy: { createdAt: 'asc' } });
      let resolution: IdempotencyKeyResolution;
      if (order) {
        // What the checkout answered, as far as the database knows it: the payment instructions were never stored.
        const body = {
          order: toOrderResponse(order),
          payment: null,
          paymentError: {
            statusCode: 503,
            message: `The payment was not started by this request; POST /orders/${order.id}/payment starts it or returns it`,
          },
        };
        await this.complete(tx, id, 201, body);
        resolution = { id, outcome: 'completed', orderId: order.id };
      } else if (refunds.length) {
        const current = await tx.order.findUniqueOrThrow({ where: { id: refunds[0].orderId }, select: { status: true } });
        await this.complete(tx, id, 201, { orderId: refunds[0].orderId, orderStatus: current.status, refunds: refunds.map(toRefund) });
        resolution = { id, outcome: 'completed', refundIds: refunds.map((r) => r.id) };
      } else {
        await tx.idempotencyKey.delete({ where: { id } });
        resolution = { id, outcome: 'released' };
      }
      await this.audit.record(tx, {
        actor,
        action: 'idempotency_key.resolved',
        entityType: 'idempotency_key',
        entityId: id,
        before: {
          scope: key.scope,
          key: key.key,
          method: key.requestMethod,
          path: key.requestPath,
          status: key.status,
          createdAt: key.createdAt,
        },
        after: resolution,
      });
      return resolution;
    });
  }

  /**
   * The key row FOR UPDATE. A request inside its transaction holds it (the foreign key check of its order or refund
   * takes a share lock), so this waits for that transaction to end, up to LOCK_WAIT.
   */
  private async lock(tx: Tx, id: string): Promise<IdempotencyKey> {
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`);
    try {
      await tx.$queryRaw`SELECT id FROM idempotency_keys WHERE id = ${id}::uuid FOR UPDATE`;
    } catch (error) {
      if (/55P03|lock timeout/i.test(`${(error as Error).message} ${JSON.stringify((error as { meta?: unknown }).meta ?? {})}`)) {
        throw new ConflictError('The request with this key is inside its transaction right now; try again in a moment');
      }
      throw error;
    }
    const key = await tx.idempotencyKey.findUnique({ where: { id } });
    if (!key) throw new NotFoundError('Idempotency key', id);
    return key;
  }

  private async complete(tx: Tx, id: string, status: number, body: unknown): Promise<void> {
    await tx.idempotencyKey.update({
      where: { id },
      data: { status: 'COMPLETED', responseStatus: status, responseBody: toJsonValue(body) },
    });
  }
}
