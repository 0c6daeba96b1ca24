import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import type { EnvironmentVariables } from '../config/configuration.js';
import { ServiceUnavailableError } from '../common/errors/domain-errors.js';
import { GracefulShutdown } from '../ops/graceful-shutdown.js';
import { MetricsService } from '../ops/metrics.service.js';
import { SseStream } from './sse-stream.js';

export interface OpenStreamOptions {
  /** Epoch ms at which the caller's credentials expire: the stream ends then (`bye` token-expired). */
  expiresAt?: number;
}

/** How long a client waits before reconnecting after the connection drops (the SSE `retry:` field). */
const CLIENT_RETRY_MS = 3_000;
/** setTimeout's longest delay (about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The server-sent-event streams of this instance: opens them (refusing more than LIVE_MAX_CONNECTIONS with 503 and
 * Retry-After), keeps them alive with one heartbeat timer for all (a comment line every LIVE_HEARTBEAT_SECONDS),
 * forgets them when the client leaves, and closes them all when the instance shuts down — before the HTTP server
 * drains (an open stream would hold the drain until its deadline) and before the database disconnects.
 */
@Injectable()
export class LiveStreams implements OnModuleDestroy {
  private readonly streams = new Set<SseStream>();
  private readonly max: number;
  private readonly heartbeatMs: number;
  private heartbeatTimer?: NodeJS.Timeout;
  private accepting = true;

  constructor(config: ConfigService<EnvironmentVariables, true>, shutdown: GracefulShutdown, metrics: MetricsService) {
    this.max = config.get('LIVE_MAX_CONNECTIONS', { infer: true });
    this.heartbeatMs = config.get('LIVE_HEARTBEAT_SECONDS', { infer: true }) * 1000;
    shutdown.onDrain(() => this.closeAll());
    metrics.liveConnections(() => this.streams.size);
  }

  get size(): number {
    return this.streams.size;
  }

  /**
   * Answers the request with an event stream. Throws (before anything is written) when the instance is at its cap or
   * shutting down, so the client gets the API's error shape and tries again, elsewhere or later.
   */
  open(req: Request, res: Response, options: OpenStreamOptions = {}): SseStream {
    if (!this.accepting || this.streams.size >= this.max) {
      res.setHeader('Retry-After', '5');
      throw new ServiceUnavailableError(
        this.accepting ? 'Too many live connections on this server; retry shortly' : 'This server is shutting down; retry',
      );
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    // Reverse proxies (nginx) must pass each event on at once rather than buffer the response.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);

    const stream = new SseStream(res);
    this.streams.add(stream);
    stream.write(`retry: ${CLIENT_RETRY_MS}\n\n`);
    if (options.expiresAt !== undefined) {
      const timer = setTimeout(
        () => stream.close('token-expired'),
        Math.min(MAX_TIMER_MS, Math.max(0, options.expiresAt - Date.now())),
      ).unref();
      stream.onClose(() => clearTimeout(timer));
    }
    stream.onClose(() => {
      this.streams.delete(stream);
      if (!this.streams.size) this.stopHeartbeat();
    });
    this.startHeartbeat();
    return stream;
  }

  /** Ends every stream (clients reconnect, to another instance behind a load balancer) and accepts no new ones. */
  closeAll(): void {
    this.accepting = false;
    for (const stream of [...this.streams]) stream.close('shutdown');
    this.stopHeartbeat();
  }

  onModuleDestroy(): void {
    this.closeAll();
  }

  private startHeartbeat(): void {
    this.heartbeatTimer ??= setInterval(() => {
      for (const stream of this.streams) stream.heartbeat();
    }, this.heartbeatMs).unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}
