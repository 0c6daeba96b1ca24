import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { BrandsService } from '../brands/brands.service.js';
import { ModuleRef } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { EnvironmentVariables } from '../config/configuration.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { scheduleIntervalJob, type IntervalJob } from '../common/scheduling.js';
import { implementationsOf } from '../common/ports.js';
import { OutboxDestination } from './outbox-destination.js';
import { backoffDelayMs } from './backoff.js';
import { DeliveryError } from './delivery-error.js';

interface ClaimedMessage {
  id: string;
  event: string;
  aggregate_id: string;
  destination: string;
  payload: unknown;
  attempts: number;
  created_at: Date;
}

export interface DispatchResult {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
}

const INTERVAL_NAME = 'outbox-dispatch';
const PURGE_EVERY_MS = 3_600_000;
const MAX_BATCHES_PER_TICK = 20;

/**
 * Delivers outbox messages. A claim is one statement: due PENDING rows are locked with FOR UPDATE SKIP LOCKED (so
 * instances never take the same row), their attempt counter is bumped and their next_attempt_at pushed out by a lease.
 * Delivery then happens outside any transaction; the outcome is written only if the row still carries our attempt
 * number (a worker that outlived its lease cannot overwrite a newer attempt). If an instance dies mid-delivery the
 * lease runs out and another instance tries again, so delivery is at least once — receivers dedupe on the event id.
 */
@Injectable()
export class OutboxDispatcher implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxDispatcher.name);
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly leaseMs: number;
  private readonly retentionDays: number;
  private schedule?: IntervalJob;
  private lastPurgeAt = 0;
  private stopping = false;
  private destinations = new Map<string, OutboxDestination>();
  /** Rounds running now, scheduled or called directly: shutdown waits for them. */
  private readonly rounds = new Set<Promise<unknown>>();

  constructor(
    private readonly brands: BrandsService,
    private readonly prisma: PrismaService,
    private readonly moduleRef: ModuleRef,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService<EnvironmentVariables, true>,
  ) {
    this.intervalMs = config.get('OUTBOX_INTERVAL_MS', { infer: true });
    this.batchSize = config.get('OUTBOX_BATCH_SIZE', { infer: true });
    this.concurrency = config.get('OUTBOX_CONCURRENCY', { infer: true });
    this.maxAttempts = config.get('OUTBOX_MAX_ATTEMPTS', { infer: true });
    this.backoffBaseMs = config.get('OUTBOX_BACKOFF_BASE_MS', { infer: true });
    this.backoffMaxMs = config.get('OUTBOX_BACKOFF_MAX_MS', { infer: true });
    this.retentionDays = config.get('OUTBOX_RETENTION_DAYS', { infer: true });
    // Long enough for a whole batch of deliveries that each run into the timeout.
    this.leaseMs = Math.ceil(this.batchSize / this.concurrency) * config.get('OUTBOX_DELIVERY_TIMEOUT_MS', { infer: true }) + 30_000;
  }

  onModuleInit(): void {
    this.destinations = new Map(implementationsOf(this.moduleRef, OutboxDestination).map((d) => [d.kind, d]));
  }

  /** Each scheduled run drains due messages batch by batch, then purges old ones; overlapping ticks are skipped. */
  onApplicationBootstrap(): void {
    this.schedule = scheduleIntervalJob(this.scheduler, this.config, {
      name: INTERVAL_NAME,
      intervalMs: this.intervalMs,
      run: async () => {
        await this.drain();
        await this.purgeIfDue();
      },
      logger: this.logger,
      failureMessage: 'Outbox run failed',
      brands: () => this.brands.jobBrandIds(),
    });
  }

  /**
   * Stops claiming, then waits for the deliveries already claimed to finish and record their outcome, so none is left
   * delivered but still PENDING (to be sent again after its lease) — and only then may the database disconnect.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.schedule?.stop();
    await Promise.allSettled([...this.rounds]);
  }

  /** Runs batches until one comes back short (nothing more is due), the per-tick cap is reached, or shutdown begins. */
  drain(): Promise<DispatchResult> {
    const round = this.drainBatches();
    this.rounds.add(round);
    return round.finally(() => this.rounds.delete(round));
  }

  private async drainBatches(): Promise<DispatchResult> {
    const total: DispatchResult = { claimed: 0, delivered: 0, retrying: 0, failed: 0 };
    for (let batch = 0; batch < MAX_BATCHES_PER_TICK && !this.stopping; batch++) {
      const result = await this.runOnce();
      for (const key of Object.keys(total) as (keyof DispatchResult)[]) total[key] += result[key];
      if (result.claimed < this.batchSize) break;
    }
    return total;
  }

  /** Claims one batch of due messages and delivers them (up to OUTBOX_CONCURRENCY at a time). */
  async runOnce(): Promise<DispatchResult> {
    const result: DispatchResult = { claimed: 0, delivered: 0, retrying: 0, failed: 0 };
    result.failed += await this.deadLetterAbandoned();
    const claimed = await this.claim();
    result.claimed = claimed.length;
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) {
        const outcome = await this.deliver(claimed[next++]);
        if (outcome) result[outcome]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, claimed.length) }, worker));
    return result;
  }

  private claim(): Promise<ClaimedMessage[]> {
    return this.prisma.$queryRaw<ClaimedMessage[]>`
      WITH due AS (
        SELECT id FROM outbox_messages
        WHERE status = 'PENDING' AND next_attempt_at <= now() AND attempts < ${this.maxAttempts}::int
        ORDER BY next_attempt_at
        LIMIT ${this.batchSize}::int
        FOR UPDATE SKIP LOCKED
      )
      UPDATE outbox_messages o
      SET attempts = o.attempts + 1, next_attempt_at = now() + ${this.leaseMs}::double precision * interval '1 millisecond'
      FROM due WHERE o.id = due.id
      RETURNING o.id::text, o.event, o.aggregate_id, o.destination, o.payload, o.attempts, o.created_at`;
  }

  /**
   * Rows whose last allowed attempt was claimed by an instance that never reported back (it died): once the lease is
   * over they are dead-lettered instead of being tried beyond OUTBOX_MAX_ATTEMPTS.
   */
  private deadLetterAbandoned(): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE outbox_messages SET status = 'FAILED', last_error = 'No outcome for the last attempt (the delivering instance stopped)'
      WHERE id IN (
        SELECT id FROM outbox_messages
        WHERE status = 'PENDING' AND next_attempt_at <= now() AND attempts >= ${this.maxAttempts}::int
        LIMIT ${this.batchSize}::int FOR UPDATE SKIP LOCKED
      )`;
  }

  private async deliver(message: ClaimedMessage): Promise<keyof DispatchResult | undefined> {
    try {
      await this.send(message);
    } catch (error) {
      return this.recordFailure(message, error);
    }
    const updated = await this.prisma.$executeRaw`
      UPDATE outbox_messages SET status = 'DELIVERED', delivered_at = now(), last_error = NULL
      WHERE id = ${message.id}::uuid AND status = 'PENDING' AND attempts = ${message.attempts}::int`;
    if (!updated) this.logger.warn(`Outbox message ${message.id} was delivered after its lease ran out; another attempt may repeat it`);
    return 'delivered';
  }

  private send(message: ClaimedMessage): Promise<void> {
    const separator = message.destination.indexOf(':');
    const destination = this.destinations.get(message.destination.slice(0, separator));
    if (!destination) return Promise.reject(new DeliveryError(`Unknown destination ${message.destination}`, true));
    return destination.deliver(message.destination.slice(separator + 1), {
      id: message.id,
      event: message.event,
      payload: message.payload,
      createdAt: message.created_at,
    });
  }

  private async recordFailure(message: ClaimedMessage, error: unknown): Promise<keyof DispatchResult | undefined> {
    if (!(error instanceof DeliveryError))
      this.logger.error(
        `Delivering outbox message ${message.id} threw unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    const permanent = error instanceof DeliveryError && error.permanent;
    if (permanent || message.attempts >= this.maxAttempts) {
      const updated = await this.prisma.$executeRaw`
        UPDATE outbox_messages SET status = 'FAILED', last_error = ${reason}
        WHERE id = ${message.id}::uuid AND status = 'PENDING' AND attempts = ${message.attempts}::int`;
      if (!updated) return undefined;
      this.logger.warn(
        `Outbox message ${message.id} (${message.event} → ${message.destination}) failed after ${message.attempts} attempt(s): ${reason}`,
      );
      return 'failed';
    }
    const delayMs = backoffDelayMs(message.attempts, this.backoffBaseMs, this.backoffMaxMs);
    const updated = await this.prisma.$executeRaw`
      UPDATE outbox_messages SET last_error = ${reason}, next_attempt_at = now() + ${delayMs}::double precision * interval '1 millisecond'
      WHERE id = ${message.id}::uuid AND status = 'PENDING' AND attempts = ${message.attempts}::int`;
    return updated ? 'retrying' : undefined;
  }

  /** Deletes delivered messages older than OUTBOX_RETENTION_DAYS (0 keeps them), at most hourly. */
  private async purgeIfDue(): Promise<void> {
    if (!this.retentionDays || Date.now() - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = Date.now();
    const deleted = await this.prisma.$executeRaw`
      DELETE FROM outbox_messages WHERE status = 'DELIVERED' AND delivered_at < now() - ${this.retentionDays}::int * interval '1 day'`;
    if (deleted) this.logger.log(`Purged ${deleted} delivered outbox message(s) older than ${this.retentionDays} day(s)`);
  }
}
