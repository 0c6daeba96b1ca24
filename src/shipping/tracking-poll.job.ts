import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { BrandsService } from '../brands/brands.service.js';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PrismaService } from '../prisma/prisma.service.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { providerActor } from '../common/actor.js';
import { scheduleIntervalJob, type IntervalJob } from '../common/scheduling.js';
import { Carriers } from './carriers.js';
import { ParcelEvents } from './parcel-events.service.js';
import type { ShippingEnvironment } from './shipping-config.js';

/**
 * Asks carriers about parcels on the move (for carriers, or brands, without tracking webhooks): every
 * SHIPPING_POLL_EVERY_SECONDS per parcel until it is delivered or back at origin. A run claims due shipments with
 * FOR UPDATE SKIP LOCKED and moves their next poll time in the same statement, so instances running the job at once
 * share the parcels instead of asking twice; what the carrier answers goes through the same path as webhooks
 * (deduplicated by event id), so a parcel polled twice anyway changes nothing twice.
 */
@Injectable()
export class TrackingPollJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TrackingPollJob.name);
  private schedule?: IntervalJob;
  private stopping = false;

  constructor(
    private readonly brands: BrandsService,
    private readonly prisma: PrismaService,
    private readonly carriers: Carriers,
    private readonly parcelEvents: ParcelEvents,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: ConfigService<EnvironmentVariables & ShippingEnvironment, true>,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule = scheduleIntervalJob(this.scheduler, this.config, {
      name: TrackingPollJob.name,
      intervalMs: this.config.get('SHIPPING_POLL_INTERVAL_SECONDS', { infer: true }) * 1000,
      run: () => this.pollDue(),
      logger: this.logger,
      failureMessage: 'Tracking poll failed',
      brands: () => this.brands.jobBrandIds(),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.schedule?.stop();
  }

  /** Polls every parcel due at `asOf`, batch after batch. Returns how many parcels it asked about. */
  async pollDue(asOf = new Date()): Promise<number> {
    const polled = this.carriers
      .all()
      .filter((c) => c.descriptor.polled)
      .map((c) => c.name);
    if (!polled.length) return 0;
    const batchSize = this.config.get('SHIPPING_POLL_BATCH_SIZE', { infer: true });
    const everySeconds = this.config.get('SHIPPING_POLL_EVERY_SECONDS', { infer: true });
    let asked = 0;
    for (;;) {
      const due = await this.prisma.$queryRaw<{ id: string; carrier: string; awb: string }[]>`
        UPDATE shipments SET next_poll_at = ${asOf}::timestamptz + make_interval(secs => ${everySeconds}), updated_at = now()
        WHERE id IN (
          SELECT id FROM shipments
          WHERE state = 'BOOKED' AND awb IS NOT NULL AND rto_arrived_at IS NULL AND next_poll_at <= ${asOf}
            AND carrier = ANY(${polled}::text[])
          ORDER BY next_poll_at
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED)
        RETURNING id::text, carrier, awb`;
      for (const parcel of due) {
        const carrier = this.carriers.get(parcel.carrier);
        try {
          const events = (await carrier.track?.(parcel.awb)) ?? [];
          await this.parcelEvents.apply(carrier.name, events, 'poll', providerActor(carrier.name));
        } catch (error) {
          this.logger.warn(`Tracking ${carrier.name} AWB ${parcel.awb} failed: ${(error as Error).message}`);
        }
      }
      asked += due.length;
      if (due.length < batchSize || this.stopping) break;
    }
    if (asked) this.logger.log(`Polled ${asked} parcel(s)`);
    return asked;
  }
}
