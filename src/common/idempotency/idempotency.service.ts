import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService } from '../../prisma/prisma.service.js';
import type { EnvironmentVariables } from '../../config/configuration.js';
import { ConflictError, UnprocessableError } from '../errors/domain-errors.js';
import { toJsonValue } from '../json.js';

/** How long a key is remembered; a later request with the same key is a new request. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const POLL_INTERVAL_MS = 25;
const MAX_POLL_INTERVAL_MS = 200;

export type IdempotencyStart =
  | { kind: 'execute'; recordId: string }
  | { kind: 'replay'; status: number; body: unknown };

/**
 * Idempotency keys in PostgreSQL. The unique (scope, key) row is claimed with one INSERT before the work starts, so
 * exactly one request per key executes; the others wait for its stored response, or give up with 409 while it is
 * still running. Only successful responses are stored: a request that failed changed nothing (its transaction rolled
 * back), so its key is released and may be retried.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);
  private readonly waitMs: number;

  constructor(private readonly prisma: PrismaService, config: ConfigService<EnvironmentVariables, true>) {
    this.waitMs = config.get('IDEMPOTENCY_WAIT_MS', { infer: true });
  }

  /** Claims the key for this request, or returns the stored response of the request that claimed it first. */
  async begin(scope: string, key: string, requestHash: string): Promise<IdempotencyStart> {
    const deadline = Date.now() + this.waitMs;
    for (let poll = POLL_INTERVAL_MS; ; poll = Math.min(poll * 2, MAX_POLL_INTERVAL_MS)) {
      const now = new Date();
      const claimed = await this.prisma.idempotencyKey.createManyAndReturn({
        data: [{ scope, key, requestHash, expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS) }],
        skipDuplicates: true,
        select: { id: true },
      });
      if (claimed.length) return { kind: 'execute', recordId: claimed[0].id };

      const existing = await this.prisma.idempotencyKey.findUnique({ where: { scope_key: { scope, key } } });
      if (!existing) continue; // released between our INSERT and SELECT: claim it again
      if (existing.expiresAt <= now) {
        await this.prisma.idempotencyKey.deleteMany({ where: { id: existing.id, expiresAt: { lte: now } } });
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new UnprocessableError('This Idempotency-Key was already used for a different request (method, path or body differ)');
      }
      if (existing.status === 'COMPLETED') return { kind: 'replay', status: existing.responseStatus ?? 200, body: existing.responseBody };
      if (Date.now() + poll > deadline) {
        throw new ConflictError('A request with this Idempotency-Key is still being processed; retry shortly to get its response');
      }
      await new Promise((resolve) => setTimeout(resolve, poll));
    }
  }

  /** Stores the response that later requests with the same key replay. */
  async complete(recordId: string, status: number, body: unknown): Promise<void> {
    await this.prisma.idempotencyKey.update({
      where: { id: recordId },
      data: { status: 'COMPLETED', responseStatus: status, responseBody: toJsonValue(body ?? null) },
    });
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
