import { Module } from '@nestjs/common';
import { LiveEvents } from './live-events.service.js';
import { LiveStreams } from './live-streams.service.js';

/**
 * Live updates: database changes fanned out to every instance through PostgreSQL LISTEN/NOTIFY (LiveEvents) and on to
 * clients as server-sent events (LiveStreams). The domain modules own the endpoints (who may hear what); this module
 * knows only channels and streams.
 */
@Module({
  providers: [LiveEvents, LiveStreams],
  exports: [LiveEvents, LiveStreams],
})
export class LiveModule {}
