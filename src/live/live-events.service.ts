import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import pg from 'pg';
import type { EnvironmentVariables } from '../config/configuration.js';
import { LIVE_CHANNELS, liveChannelOf, parseChanges, type LiveChannel, type LiveChanges } from './live-channels.js';

type Handler<C extends LiveChannel> = (changes: LiveChanges[C][]) => void;

/** Reconnect backoff: 250 ms doubling to 30 s, with 50–100 % jitter so instances do not reconnect in step. */
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 30_000;
/** A connection that answers no query for this long is dead (half-open TCP, a frozen server): it is replaced. */
const PING_INTERVAL_MS = 30_000;
const PING_TIMEOUT_MS = 10_000;

export function reconnectDelayMs(attempt: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * This instance's ear on the database: ONE dedicated connection (outside Prisma's pool) LISTENs on the live channels,
 * and every notification is handed to the in-process subscribers of its channel — the server-sent-event streams of
 * this instance. Changes made through any instance reach every instance, because PostgreSQL delivers each NOTIFY to
 * every listening connection, in commit order.
 *
 * A lost connection is replaced with backoff. Notifications sent while no connection listened are gone, so after a
 * reconnect every `onResync` subscriber is told to re-read what it shows (a stream sends a fresh snapshot).
 */
@Injectable()
export class LiveEvents implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveEvents.name);
  private readonly url?: string;
  private readonly handlers = new Map<LiveChannel, Set<Handler<LiveChannel>>>();
  private readonly resyncHandlers = new Set<() => void>();
  private client?: pg.Client;
  private stopped = false;
  private attempt = 0;
  private everListened = false;
  private retryTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private listeningWaiters: (() => void)[] = [];

  constructor(config: ConfigService<EnvironmentVariables, true>) {
    this.url = config.get('DATABASE_URL', { infer: true });
  }

  onApplicationBootstrap(): void {
    void this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Whether a connection is LISTENing right now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Resolves once a connection LISTENs (at once if one does). */
  whenListening(): Promise<void> {
    if (this.listening) return Promise.resolve();
    return new Promise((resolve) => this.listeningWaiters.push(resolve));
  }

  /** Calls `handler` with the changes of every notification on `channel`; returns the unsubscribe function. */
  subscribe<C extends LiveChannel>(channel: C, handler: Handler<C>): () => void {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler as Handler<LiveChannel>);
    return () => void set.delete(handler as Handler<LiveChannel>);
  }

  /** Calls `handler` after a reconnect, when notifications may have been missed; returns the unsubscribe function. */
  onResync(handler: () => void): () => void {
    this.resyncHandlers.add(handler);
    return () => void this.resyncHandlers.delete(handler);
  }

  /** Whether stop() has run: read after an await, when it may have run meanwhile. */
  private hasStopped(): boolean {
    return this.stopped;
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.url) return;
    const client = new pg.Client({
      connectionString: this.url,
      keepAlive: true,
      application_name: 'orderline-live',
      connectionTimeoutMillis: 5_000,
    });
    // Set by onLost, which the client's events may call while connect() awaits.
    let lost = false as boolean;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      void client.end().catch(() => undefined);
      if (this.client === client) {
        this.client = undefined;
        clearInterval(this.pingTimer);
        this.logger.warn(`Live events connection lost${error ? `: ${error.message}` : ''}; reconnecting`);
      }
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => this.dispatch(message.channel, message.payload));
    try {
      await client.connect();
      await client.query(
        Object.values(LIVE_CHANNELS)
          .map((channel) => `LISTEN ${channel}`)
          .join('; '),
      );
    } catch (error) {
      if (!this.hasStopped()) this.logger.warn(`Live events could not listen: ${(error as Error).message}`);
      onLost();
      return;
    }
    if (lost) return;
    if (this.hasStopped()) {
      lost = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.pingTimer = setInterval(() => void this.ping(client, onLost), PING_INTERVAL_MS).unref();
    for (const resolve of this.listeningWaiters.splice(0)) resolve();
    if (this.everListened) {
      this.logger.log('Live events connection restored; streams re-read their state');
      for (const handler of this.resyncHandlers) this.safely(() => handler());
    }
    this.everListened = true;
  }

  private async ping(client: pg.Client, onLost: (error?: Error) => void): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error('no answer to a ping')), PING_TIMEOUT_MS)),
    );
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (error) {
      onLost(error as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), reconnectDelayMs(this.attempt++)).unref();
  }

  private dispatch(name: string, payload: string | undefined): void {
    const channel = liveChannelOf(name);
    const handlers = channel && this.handlers.get(channel);
    if (!channel || !handlers?.size) return;
    const changes = parseChanges(channel, payload);
    if (!changes.length) return;
    for (const handler of handlers) this.safely(() => handler(changes));
  }

  /** One subscriber's failure (a closed stream) must not keep the others from hearing of a change. */
  private safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger.warn(`Live events subscriber failed: ${(error as Error).message}`);
    }
  }
}
