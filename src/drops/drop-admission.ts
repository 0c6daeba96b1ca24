import type { IncomingMessage } from 'node:http';
import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import type { EnvironmentVariables } from '../config/configuration.js';
import { ConflictError, DomainError } from '../common/errors/domain-errors.js';
import { AllExceptionsFilter } from '../common/http/all-exceptions.filter.js';
import { labelRoute } from '../ops/http-route.js';
import { activeBrandId, DEFAULT_BRAND_ID } from '../common/context/brand-context.js';
import { nationalPhone } from '../common/http/transforms.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { LiveEvents } from '../live/live-events.service.js';
import { DropCatalog } from './drop-catalog.js';
import { dropPhase, DropEndedError, DropNotOpenError, type DropRules } from './drop-rules.js';

interface Line {
  variantId: string;
  quantity: number;
  drop: DropRules;
}

interface Waiter {
  lines: Line[];
  /** Its rate limits are counted: it may be admitted. */
  ready: boolean;
  admit: () => void;
  refuse: (error: DomainError) => void;
  timer: NodeJS.Timeout;
}

/** Every unit still on sale is held by a checkout running or waiting ahead, and the standby line is full. */
export class DropSoldOutError extends ConflictError {
  constructor(lines: { variantId: string; quantity: number }[], available: (variantId: string) => number, heldAhead: boolean) {
    super(heldAhead ? 'Sold out: every remaining unit is being checked out by buyers ahead of you' : 'Sold out', {
      code: heldAhead ? 'SOLD_OUT_PENDING' : 'SOLD_OUT',
      lines: lines.map((l) => ({ variantId: l.variantId, requested: l.quantity, available: Math.max(0, available(l.variantId)) })),
      ...(heldAhead && { retryAfterSeconds: 2 }),
    });
  }
}

/** 429: too many drop checkouts from this IP or phone, or the waiting room did not reach this one in time. */
export class DropBusyError extends DomainError {
  readonly status = 429;
}

/**
 * The drop's door, a raw middleware in front of the Nest pipeline for POST /orders/checkout (a full checkout costs
 * ~10 ms of CPU; these answers cost microseconds). For a cart with drop items it answers at once, from memory:
 * - before the drop (or its early access) opens: 409 with the opening time; after it ended: 409;
 * - sold out (the last committed stock this instance heard through LISTEN/NOTIFY): 409 SOLD_OUT;
 * - every remaining unit already held by checkouts running or waiting ahead, and the standby line full: 409
 *   SOLD_OUT_PENDING (retry later).
 * Otherwise it counts the checkout against the per-IP and per-phone limits in PostgreSQL (shared by every instance;
 * 429 over them) and lets it through a bounded FIFO waiting room: DROP_ADMISSION_CONCURRENCY checkouts run at once,
 * the rest wait in arrival order while the line moves (429 with their position once no checkout has finished for
 * DROP_QUEUE_TIMEOUT_MS). Behind the line, a short standby line keeps the next buyers whose units are all held ahead:
 * a checkout ahead that fails (a customer over the limit, a conflict, an invalid address) hands its units to the first
 * of them, so the drop still sells every unit to buyers who are there. The checkout itself then
 * decides under its locks as always; nothing here can sell a unit, it only refuses early. Requests with an
 * Idempotency-Key pass straight on, so a replay always gets its stored answer.
 */
@Injectable()
export class DropAdmission implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly concurrency: number;
  private readonly queueTimeoutMs: number;
  private readonly limits: { perIp: number; perPhone: number; windowMs: number };
  private running = 0;
  /** When a checkout of this door last finished: the line moves while this stays recent. */
  private lastProgressAt = Date.now();
  /** Units held by checkouts running now, per variant. */
  private readonly held = new Map<string, number>();
  /** The line: waiters whose units are there for them once the ones ahead have theirs. */
  private readonly queue: Waiter[] = [];
  /** Units wanted by everyone in the line, per variant (kept as waiters join and leave). */
  private readonly queued = new Map<string, number>();
  /** Behind the line, in arrival order: waiters whose units are all held ahead; they join the line if some come back. */
  private readonly standby: Waiter[] = [];
  private readonly errors = new AllExceptionsFilter();
  /** Requests waiting for their rate-limit hits to be counted (countHits), and whether a statement is counting now. */
  private readonly pendingHits: {
    keys: string[];
    resolve: (counted: { windowStart: Date; hits: Map<string, number> }) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private countingHits = false;
  private unsubscribe?: () => void;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly catalog: DropCatalog,
    private readonly prisma: PrismaService,
    private readonly live: LiveEvents,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    this.concurrency = config.get('DROP_ADMISSION_CONCURRENCY', { infer: true });
    this.queueTimeoutMs = config.get('DROP_QUEUE_TIMEOUT_MS', { infer: true });
    this.limits = {
      perIp: config.get('DROP_RATE_LIMIT_PER_IP', { infer: true }),
      perPhone: config.get('DROP_RATE_LIMIT_PER_PHONE', { infer: true }),
      windowMs: config.get('DROP_RATE_LIMIT_WINDOW_SECONDS', { infer: true }) * 1000,
    };
  }

  onApplicationBootstrap(): void {
    // A sale (or a unit back) heard from any instance may settle waiters: refuse the hopeless, admit the lucky.
    this.unsubscribe = this.live.subscribe('stock', () => this.drain());
    // Windows older than a day count for nothing: cleared now and then (one statement, any instance may).
    this.sweeper = setInterval(
      () => void this.prisma.$executeRaw`DELETE FROM drop_rate_limits WHERE window_start < now() - interval '1 day'`.catch(() => undefined),
      600_000,
    ).unref();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    clearInterval(this.sweeper);
    this.queued.clear();
    for (const waiter of [...this.queue.splice(0), ...this.standby.splice(0)]) {
      clearTimeout(waiter.timer);
      waiter.refuse(new DropBusyError('The server is restarting; try again', { code: 'DROP_QUEUE', retryAfterSeconds: 1 }));
    }
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST' || req.path !== '/orders/checkout' || req.get('idempotency-key')) {
      next();
      return;
    }
    const loading = this.catalog.loaded(activeBrandId());
    if (loading) {
      loading.then(
        () => this.middleware(req, res, next),
        () => next(),
      );
      return;
    }
    const lines = this.dropLines(req.body, activeBrandId());
    if (!lines.length) {
      next();
      return;
    }
    this.admit(lines, req).then(
      (release) => {
        res.once('close', () => release());
        next();
      },
      (error: unknown) => {
        if (!(error instanceof DomainError)) {
          next(error);
          return;
        }
        // Answered before routing: labelled with the route it was for, as the front door's answers are.
        labelRoute(req, 'POST', '/orders/checkout');
        const body = this.errors.toBody(error);
        const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
        if (retry) res.setHeader('Retry-After', String(retry));
        res.status(body.statusCode).json(body);
      },
    );
  };

  /**
   * The front door's check (ops/front-door.ts, single-brand installs): what `middleware` refuses at once — not open,
   * ended, sold out, every unit held ahead — answered before Express, from the same memory. Anything else (a cart to
   * admit, a cart without drop items, drops not loaded yet, a request with an Idempotency-Key) goes on through the
   * full pipeline to `middleware`, which decides it again.
   */
  readonly earlyRefusal = (body: unknown, req: IncomingMessage): DomainError | undefined => {
    if (req.headers['idempotency-key'] !== undefined || this.catalog.loaded(DEFAULT_BRAND_ID)) return undefined;
    const lines = this.dropLines(body, DEFAULT_BRAND_ID);
    return lines.length ? this.refusalNow(lines) : undefined;
  };

  /** Whether earlyRefusal could refuse anything: not while the brand has no drops (the front door then reads no body). */
  readonly mayRefuseEarly = (): boolean => this.catalog.mayHaveDrops(DEFAULT_BRAND_ID);

  /** The cart's lines that a drop governs (by this instance's copy of the drops); malformed bodies are left to validation. */
  private dropLines(body: unknown, brandId: string): Line[] {
    const items = (body as { items?: unknown } | undefined)?.items;
    if (!Array.isArray(items) || items.length > 50) return [];
    const lines: Line[] = [];
    for (const item of items as { variantId?: unknown; quantity?: unknown }[]) {
      if (typeof item.variantId !== 'string' || !Number.isInteger(item.quantity) || (item.quantity as number) < 1) return [];
      const drop = this.catalog.cachedDrop(brandId, item.variantId);
      if (drop) lines.push({ variantId: item.variantId, quantity: item.quantity as number, drop });
    }
    return lines;
  }

  /** Refused before it queues: the drop not open or ended, or its units sold, or held ahead with the standby line full. */
  private refusalNow(lines: Line[]): DomainError | undefined {
    const place = this.closedFor(lines) ?? this.placeFor(lines);
    return place instanceof DomainError ? place : undefined;
  }

  /** The drop of one of the lines not open yet, or ended. */
  private closedFor(lines: Line[]): DomainError | undefined {
    const now = Date.now();
    for (const { drop } of lines) {
      const phase = dropPhase(drop, now);
      if (phase === 'scheduled') return new DropNotOpenError(drop);
      if (phase === 'ended' && drop.endsAt) return new DropEndedError(drop, drop.endsAt);
    }
    return undefined;
  }

  /**
   * Where a newcomer goes. Refused when committed sales took its units (SOLD_OUT). In line when its units are not all
   * held by the line and the running checkouts and nobody stands by; behind those standing by (who came first) when
   * the standby line has room — a tenth of the waiters ahead, at least DROP_ADMISSION_CONCURRENCY: enough to take
   * over from the checkouts ahead that fail, not the whole crowd. With no room: in line if its units are free, else
   * refused SOLD_OUT_PENDING.
   */
  private placeFor(lines: Line[]): 'line' | 'standby' | DropSoldOutError {
    const short = this.shortOf(lines, this.queued, true);
    if (short === 'sold') return this.soldOut(lines, short);
    const room = this.standby.length < Math.max(this.concurrency, Math.ceil((this.queue.length + this.running) / 10));
    if (!short) return this.standby.length && room ? 'standby' : 'line';
    return room ? 'standby' : this.soldOut(lines, short);
  }

  private async admit(lines: Line[], req: Request): Promise<() => void> {
    const place = this.closedFor(lines) ?? this.placeFor(lines);
    if (place instanceof DomainError) throw place;
    // In line at once, so its units count as taken for everyone arriving after it (or standing by, ahead of them);
    // admissible once its rate limits are counted (only buyers who could still get a unit reach that statement).
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        lines,
        ready: false,
        admit: () => resolve(this.start(lines)),
        refuse: reject,
        timer: setTimeout(() => this.expire(waiter), this.queueTimeoutMs),
      };
      if (place === 'line') this.enqueue(waiter);
      else this.standby.push(waiter);
      this.countAgainstLimits(req).then(
        () => {
          waiter.ready = true;
          this.drain();
        },
        (error: unknown) => {
          this.remove(waiter);
          clearTimeout(waiter.timer);
          reject(error instanceof Error ? error : new Error(String(error)));
          this.drain();
        },
      );
    });
  }

  /**
   * Whether a cart's units are all taken: by committed sales ('sold'), or by `ahead` (units wanted by waiters ahead of
   * it) and, with `running`, by the checkouts running now ('held'). A running checkout's sale is heard (stock
   * notification) a moment before its request closes and its hold is let go, so for that moment it counts twice: a
   * newcomer may be told to retry, but a waiter already in line is only refused on what committed sales and the
   * waiters ahead of it take, never on that double count.
   */
  private shortOf(lines: Line[], ahead: Map<string, number>, running: boolean): 'sold' | 'held' | undefined {
    const known = this.known;
    if (lines.some((l) => known(l.variantId) < l.quantity)) return 'sold';
    const taken = (variantId: string) => (ahead.get(variantId) ?? 0) + (running ? (this.held.get(variantId) ?? 0) : 0);
    if (lines.some((l) => known(l.variantId) - taken(l.variantId) < l.quantity)) return 'held';
    return undefined;
  }

  /** The refusal for a cart short of units: SOLD_OUT, or SOLD_OUT_PENDING when they are held ahead. */
  private soldOut(lines: Line[], short: 'sold' | 'held'): DropSoldOutError {
    return stackless(() => new DropSoldOutError(lines, this.known, short === 'held'));
  }

  /** The variant's units not sold, as this instance last heard (unknown: as many as anyone wants). */
  private readonly known = (variantId: string): number => this.catalog.lastKnownAvailable(variantId) ?? Number.POSITIVE_INFINITY;

  private enqueue(waiter: Waiter): void {
    this.queue.push(waiter);
    addUnits(this.queued, waiter.lines, 1);
  }

  private dequeue(at: number): Waiter {
    const [waiter] = this.queue.splice(at, 1);
    addUnits(this.queued, waiter.lines, -1);
    return waiter;
  }

  /** Takes the waiter out of the line or the standby line: its place, 0 when it was in neither. */
  private remove(waiter: Waiter): number {
    const at = this.queue.indexOf(waiter);
    if (at >= 0) {
      this.dequeue(at);
      return at + 1;
    }
    const standing = this.standby.indexOf(waiter);
    if (standing < 0) return 0;
    this.standby.splice(standing, 1);
    return this.queue.length + standing + 1;
  }

  private start(lines: Line[]): () => void {
    this.running++;
    addUnits(this.held, lines, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.lastProgressAt = Date.now();
      addUnits(this.held, lines, -1);
      this.drain();
    };
  }

  /**
   * A waiter's time is up. While the line moves (a checkout finished within DROP_QUEUE_TIMEOUT_MS) a waiter whose units
   * are still there for it keeps its place: refusing it would hand its unit to someone who came later. Only a line
   * that stopped (the database stuck, every running checkout hanging) sends waiters away: 429 with their place.
   */
  private expire(waiter: Waiter): void {
    if (!this.queue.includes(waiter) && !this.standby.includes(waiter)) return;
    const stalledFor = Date.now() - this.lastProgressAt;
    if (stalledFor < this.queueTimeoutMs) {
      waiter.timer = setTimeout(() => this.expire(waiter), this.queueTimeoutMs - stalledFor);
      return;
    }
    const position = this.remove(waiter);
    waiter.refuse(
      new DropBusyError(`Still ${position} in line for the drop; try again`, {
        code: 'DROP_QUEUE',
        position,
        estimatedWaitSeconds: Math.ceil(position / this.concurrency / 50) || 1,
        retryAfterSeconds: 1,
      }),
    );
    this.drain();
  }

  /** In arrival order: admits waiters while there is room, refuses those whose units are gone. */
  private drain(): void {
    // The standby line first, in arrival order: a waiter joins the end of the line once its units are no longer all
    // held ahead (a checkout ahead failed), and is refused once they are sold.
    for (let i = 0; i < this.standby.length;) {
      const waiter = this.standby[i];
      const short = this.shortOf(waiter.lines, this.queued, true);
      if (short === 'held') {
        i++;
        continue;
      }
      this.standby.splice(i, 1);
      if (short) {
        clearTimeout(waiter.timer);
        waiter.refuse(this.soldOut(waiter.lines, short));
      } else this.enqueue(waiter);
    }
    // Units wanted by the waiters kept in line ahead of the one looked at (admitted ones count as running instead).
    const ahead = new Map<string, number>();
    for (let i = 0; i < this.queue.length;) {
      const waiter = this.queue[i];
      const short = this.shortOf(waiter.lines, ahead, false);
      if (short) {
        this.dequeue(i);
        clearTimeout(waiter.timer);
        waiter.refuse(this.soldOut(waiter.lines, short));
        continue;
      }
      if (this.running >= this.concurrency) return;
      if (!waiter.ready) {
        addUnits(ahead, waiter.lines, 1);
        i++;
        continue;
      }
      this.dequeue(i);
      clearTimeout(waiter.timer);
      waiter.admit();
    }
  }

  /** Raises this window's counters of the client IP and the phone (with others', see countHits); over either limit is 429. */
  private async countAgainstLimits(req: Request): Promise<void> {
    const phone = (req.body as { contact?: { phone?: unknown } }).contact?.phone;
    const keys = [`ip:${req.ip ?? 'unknown'}`, ...(typeof phone === 'string' && phone ? [`phone:${nationalPhone(phone)}`] : [])];
    const { windowStart, hits } = await this.countHits(keys);
    for (const [key, count] of hits) {
      const limit = key.startsWith('ip:') ? this.limits.perIp : this.limits.perPhone;
      if (count > limit) {
        const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + this.limits.windowMs - Date.now()) / 1000));
        throw new DropBusyError(
          `Too many drop checkouts from this ${key.startsWith('ip:') ? 'address' : 'phone'}; retry in ${retryAfterSeconds} s`,
          {
            code: 'DROP_RATE_LIMIT',
            limit,
            retryAfterSeconds,
          },
        );
      }
    }
  }

  /**
   * This request's hit on each key, counted in PostgreSQL (shared by every instance). One statement at a time per
   * instance: the requests that arrive while one runs are counted together by the next, each key raised once by their
   * number of hits, and each request's count is its place among them. A crowd behind one address (a carrier's NAT)
   * raises that key's row once per statement, not once per buyer, each raise holding the row until it commits.
   */
  private countHits(keys: string[]): Promise<{ windowStart: Date; hits: Map<string, number> }> {
    return new Promise((resolve, reject) => {
      this.pendingHits.push({ keys, resolve, reject });
      if (!this.countingHits) void this.flushHits();
    });
  }

  private async flushHits(): Promise<void> {
    this.countingHits = true;
    const batch = this.pendingHits.splice(0);
    const raises = new Map<string, number>();
    for (const { keys } of batch) for (const key of keys) raises.set(key, (raises.get(key) ?? 0) + 1);
    // In key order, so two instances' statements raising the same rows cannot deadlock.
    const keys = [...raises.keys()].sort();
    const windowStart = new Date(Math.floor(Date.now() / this.limits.windowMs) * this.limits.windowMs);
    try {
      // Committed without waiting for the disk (synchronous_commit off for this statement's own transaction): the
      // address's row is locked until the commit returns, so a flush per raise would queue the crowd single file. A
      // crash may forget the last moment's hits, never a sale.
      const rows = await this.prisma.direct.$queryRaw<{ key: string; hits: number }[]>`
        WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
        INSERT INTO drop_rate_limits (key, window_start, hits)
        SELECT k, ${windowStart}, n FROM async_commit, unnest(${keys}::text[], ${keys.map((k) => raises.get(k) ?? 0)}::int[]) AS t(k, n)
        ORDER BY k
        ON CONFLICT (brand_id, key, window_start) DO UPDATE SET hits = drop_rate_limits.hits + excluded.hits
        RETURNING key, hits`;
      // Each key's count before this statement, then each request's place after the ones ahead of it in the batch.
      const counted = new Map(rows.map((r) => [r.key, r.hits - (raises.get(r.key) ?? 0)]));
      for (const { keys: mine, resolve } of batch) {
        const hits = new Map<string, number>();
        for (const key of mine) {
          const count = (counted.get(key) ?? 0) + 1;
          counted.set(key, count);
          hits.set(key, count);
        }
        resolve({ windowStart, hits });
      }
    } catch (error) {
      for (const { reject } of batch) reject(error);
    } finally {
      this.countingHits = false;
      if (this.pendingHits.length) void this.flushHits();
    }
  }
}

/** A refusal the crowd hears thousands of times a second, made without the stack trace (about 25 µs) nobody reads. */
function stackless<T extends Error>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function addUnits(units: Map<string, number>, lines: Line[], sign: 1 | -1): void {
  for (const l of lines) units.set(l.variantId, (units.get(l.variantId) ?? 0) + sign * l.quantity);
}
