import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import { PrismaService } from '../prisma/prisma.service.js';
import { afterCommit } from '../prisma/after-commit.js';
import { routeOf } from './http-route.js';
import { answerMetricsCalls, isWorker, metricsOfAllWorkers } from './cluster.js';

export type CheckoutOutcome = 'created' | 'sold_out' | 'conflict';
export type WebhookResult = 'applied' | 'duplicate' | 'rejected';

/**
 * The Prometheus series of one app instance, in its own registry (several apps may share a process in tests).
 * Other modules call the typed methods below; GET /metrics renders the registry — with WEB_CONCURRENCY, the registries
 * of every worker on the machine summed (prom-client's cluster aggregation), since a scrape of the shared port
 * reaches any one of them.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  private readonly registry = new Registry();
  private readonly stopAnswering = isWorker() ? answerMetricsCalls(() => this.registry.getMetricsAsJSON()) : undefined;

  private readonly httpDuration = new Histogram({
    name: 'orderline_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly checkouts = new Counter({
    name: 'orderline_checkouts_total',
    help: 'Checkout attempts by outcome: created, sold_out (not enough stock), conflict (gave up after retries)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly orderTransitions = new Counter({
    name: 'orderline_order_transitions_total',
    help: 'Committed order status changes by from and to status',
    labelNames: ['from', 'to'] as const,
    registers: [this.registry],
  });

  private readonly webhookEvents = new Counter({
    name: 'orderline_webhook_events_total',
    help: 'Payment provider webhook deliveries by provider and result: applied, duplicate, rejected',
    labelNames: ['provider', 'result'] as const,
    registers: [this.registry],
  });

  private readonly reservationsExpiredTotal = new Counter({
    name: 'orderline_reservations_expired_total',
    help: 'Unpaid orders whose stock reservation expired and was released',
    registers: [this.registry],
  });

  constructor(prisma: PrismaService) {
    type PoolStats = NonNullable<ReturnType<PrismaService['poolStats']>>;
    const poolGauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const stats = prisma.poolStats();
          this.set(stats ? read(stats) : 0);
        },
      });
    poolGauge('orderline_db_pool_connections', "Open connections in this instance's database pool", (s) => s.total);
    poolGauge('orderline_db_pool_idle_connections', 'Idle connections in the database pool', (s) => s.idle);
    poolGauge(
      'orderline_db_pool_waiting_requests',
      'Queries waiting for a free pool connection (sustained > 0: pool too small or queries too slow)',
      (s) => s.waiting,
    );
    poolGauge('orderline_db_pool_max_connections', 'Pool size limit (DB_POOL_SIZE)', (s) => s.max);
    collectDefaultMetrics({ register: this.registry, prefix: 'orderline_' });
  }

  checkout(outcome: CheckoutOutcome): void {
    this.checkouts.inc({ outcome });
  }

  /** Counted when `tx` commits, so a retried Serializable attempt is not counted twice. */
  orderTransition(tx: object, from: string, to: string, count = 1): void {
    afterCommit(tx, () => this.orderTransitions.inc({ from, to }, count));
  }

  webhookEvent(provider: string, result: WebhookResult): void {
    this.webhookEvents.inc({ provider, result });
  }

  reservationsExpired(count: number): void {
    if (count > 0) this.reservationsExpiredTotal.inc(count);
  }

  /** The gauge of open server-sent-event streams, read from `count` at every scrape. */
  liveConnections(count: () => number): void {
    new Gauge({
      name: 'orderline_live_connections',
      help: 'Open live (server-sent events) streams on this instance (cap: LIVE_MAX_CONNECTIONS)',
      registers: [this.registry],
      collect() {
        this.set(count());
      },
    });
  }

  /**
   * Express middleware timing every request; the label is the route pattern, never the raw URL. Event streams are
   * left out: they last as long as the client stays, which would say nothing about how fast the API answers.
   */
  readonly timeRequests = (req: Request, res: Response, next: NextFunction): void => {
    const stop = this.httpDuration.startTimer();
    res.once('close', () => {
      if (String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) return;
      stop({ method: req.method, route: routeOf(req), status: String(res.statusCode) });
    });
    next();
  };

  async render(): Promise<string> {
    if (!isWorker()) return this.registry.metrics();
    const parts = (await metricsOfAllWorkers()) as MetricObjectWithValues<MetricValue<string>>[][];
    return AggregatorRegistry.aggregate(parts).metrics();
  }

  onModuleDestroy(): void {
    this.stopAnswering?.();
  }
}
