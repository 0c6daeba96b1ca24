import { Module } from '@nestjs/common';
import { MetricsModule } from '../ops/metrics.module.js';
import { OpsModule } from '../ops/ops.module.js';
import { CatalogueWrites } from './catalogue-writes.js';
import { LiveEvents } from './live-events.service.js';
import { LiveStreams } from './live-streams.service.js';

/**
 * Live updates: database changes fanned out to every instance through PostgreSQL LISTEN/NOTIFY (LiveEvents) and on to
 * clients as server-sent events (LiveStreams). The domain modules own the endpoints (who may hear what); this module
 * knows only channels and streams.
 */
@Module({
  imports: [OpsModule, MetricsModule],
  providers: [LiveEvents, LiveStreams, CatalogueWrites],
  exports: [LiveEvents, LiveStreams, CatalogueWrites],
})
export class LiveModule {}
