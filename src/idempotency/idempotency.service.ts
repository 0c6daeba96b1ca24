import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { ConflictError, UnprocessableError } from '../common/errors/domain-errors.js';
import { toJsonValue } from '../common/json.js';

/** How long a key is remembered; a later request with the same key is a new request. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const POLL_INTERVAL_MS = 25;
const MAX_POLL_INTERVAL_MS = 200;

export type IdempotencyStart = { kind: 'execute'; recordId: string } | { kind: 'replay'; status: number; body: unknown };

/** What a route's transaction records its key on (a foreign key to idempotency_keys): see IdempotentOptions.records. */
export type IdempotencyRecord = 'order' | 'refund';

export interface IdempotencyClaim {
  method: string;
  path: string;
  records?: IdempotencyRecord;
}

/** The request's key was released while it ran, and its transaction found the fence closed: it changed nothing. */
export class IdempotencyKeyReleasedError extends ConflictError {
  constructor() {
    super(
      'The Idempotency-Key of this request was released while it ran (resolved by an admin, or taken over by a retry); ' +
        'nothing was done. Retry with the same key to get the outcome.',
    );
  }
}

/**
 * Idempotency keys in PostgreSQL. The unique (scope, key) row is claimed with one INSERT before the work starts, so
 * exactly one request per key executes; the others wait for its stored response, or give up with 409 while it is
 * still running. Only successful responses are stored: a request that failed changed nothing (its transaction rolled
 * back), so its key is released and may be retried.
 *
 * A request that dies between claiming its key and storing its response (a crash) leaves the key IN_PROGRESS. Where
 * the route's transaction records the key on what it creates (checkout on the order, refunds on the refund rows, a
 * foreign key), whether it committed is provable, and the key is fenced: once the key row is deleted no transaction
 * can commit under it. So a key IN_PROGRESS for longer than IDEMPOTENCY_STALE_SECONDS whose row no transaction holds
 * and nothing references is released for the next request with it; keys whose request did commit wait for an admin
 * (GET /admin/idempotency-keys, resolve), or their 24 hours.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);
  private readonly waitMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly prisma: PrismaService,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    this.waitMs = config.get('IDEMPOTENCY_WAIT_MS', { infer: true });
    this.staleMs = config.get('IDEMPOTENCY_STALE_SECONDS', { infer: true }) * 1000;
  }

  /** Claims the key for this request, or returns the stored response of the request that claimed it first. */
  async begin(scope: string, key: string, requestHash: string, claim?: IdempotencyClaim): Promise<IdempotencyStart> {
    const deadline = Date.now() + this.waitMs;
    for (let poll = POLL_INTERVAL_MS; ; poll = Math.min(poll * 2, MAX_POLL_INTERVAL_MS)) {
      const now = new Date();
      const claimed = await this.prisma.idempotencyKey.createManyAndReturn({
        data: [
          {
            scope,
            key,
            requestHash,
            expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS),
            requestMethod: claim?.method,
            requestPath: claim?.path,
            records: claim?.records,
          },
        ],
        skipDuplicates: true,
        select: { id: true },
      });
      if (claimed.length) return { kind: 'execute', recordId: claimed[0].id };

      const existing = await this.prisma.idempotencyKey.findFirst({ where: { scope, key } });
      if (!existing) continue; // released between our INSERT and SELECT: claim it again
      if (existing.expiresAt <= now) {
        await this.prisma.idempotencyKey.deleteMany({ where: { id: existing.id, expiresAt: { lte: now } } });
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new UnprocessableError('This Idempotency-Key was already used for a different request (method, path or body differ)');
      }
      if (existing.status === 'COMPLETED') return { kind: 'replay', status: existing.responseStatus ?? 200, body: existing.responseBody };
      if (
        existing.records &&
        now.getTime() - existing.createdAt.getTime() > this.staleMs &&
        (await this.releaseIfNothingRecorded(existing.id))
      ) {
        this.logger.warn(
          `Released idempotency key ${existing.id} (${existing.requestMethod} ${existing.requestPath}): in progress since ` +
            `${existing.createdAt.toISOString()}, nothing committed under it`,
        );
        continue;
      }
      if (Date.now() + poll > deadline) {
        throw new ConflictError('A request with this Idempotency-Key is still being processed; retry shortly to get its response');
      }
      await new Promise((resolve) => setTimeout(resolve, poll));
    }
  }

  /** Stores the response that later requests with the same key replay (unless an admin resolved the key meanwhile). */
  async complete(recordId: string, status: number, body: unknown): Promise<void> {
    await this.prisma.idempotencyKey.updateMany({
      where: { id: recordId, status: 'IN_PROGRESS' },
      data: { status: 'COMPLETED', responseStatus: status, responseBody: toJsonValue(body ?? null) },
    });
  }

  /**
   * Deletes an IN_PROGRESS key if provably nothing was committed under it: no transaction holds its row (one that
   * referenced it would: the foreign key check locks it) and no order or refund references it. Deleting it closes the
   * fence for good, so its request, should it still be alive, cannot commit afterwards. Returns whether it did.
   */
  async releaseIfNothingRecorded(recordId: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const claimed = await tx.$queryRaw<{ id: string }[]>`
        SELECT id::text FROM idempotency_keys WHERE id = ${recordId}::uuid AND status = 'IN_PROGRESS' FOR UPDATE SKIP LOCKED`;
      if (!claimed.length || (await this.recordedUnder(tx, recordId))) return false;
      await tx.idempotencyKey.delete({ where: { id: recordId } });
      return true;
    });
  }

  /** Whether a transaction committed an order or a refund under the key (the rows that reference it). */
  async recordedUnder(tx: Tx, recordId: string): Promise<boolean> {
    const [{ recorded }] = await tx.$queryRaw<{ recorded: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM orders WHERE idempotency_key_id = ${recordId}::uuid)
          OR EXISTS (SELECT 1 FROM refunds WHERE idempotency_key_id = ${recordId}::uuid) AS recorded`;
    return recorded;
  }

  /** Forgets a claim whose request failed, so the client can retry with the same key. */
  async release(recordId: string): Promise<void> {
    await this.prisma.idempotencyKey.deleteMany({ where: { id: recordId, status: 'IN_PROGRESS' } });
  }

  /** Deletes keys past their 24 hours, in batches that never hold many row locks at once. Returns how many. */
  async deleteExpired(now = new Date(), batchSize = 1000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const count = await this.prisma.$executeRaw`
        DELETE FROM idempotency_keys WHERE id IN (
          SELECT id FROM idempotency_keys WHERE expires_at <= ${now} ORDER BY expires_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`;
      deleted += count;
      if (count < batchSize) break;
    }
    if (deleted) this.logger.log(`Deleted ${deleted} expired idempotency key(s)`);
    return deleted;
  }
}
