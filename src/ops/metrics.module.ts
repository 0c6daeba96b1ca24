import { Module } from '@nestjs/common';
import { MetricsService } from './metrics.service.js';

/** The Prometheus series other modules count into (OpsModule serves GET /metrics). */
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
