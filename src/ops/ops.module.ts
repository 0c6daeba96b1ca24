import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { EnvironmentVariables } from '../config/configuration.js';
import { logDestination, loggingConfig, pinoOptions } from './logging.js';
import { RateLimitGuard } from './rate-limit.js';
import { MetricsModule } from './metrics.module.js';
import { MetricsController } from './metrics.controller.js';
import { GracefulShutdown } from './graceful-shutdown.js';
import { IdleCollector } from './idle-collector.js';

type Config = ConfigService<EnvironmentVariables, true>;

/**
 * Production operations: structured logs, rate limits, Prometheus metrics, graceful shutdown and the idle-time
 * collection (imported once, by the app).
 */
@Module({
  imports: [
    MetricsModule,
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      // The request logger itself is mounted by configureHttp (ahead of the body parsers); this builds the logger for
      // lines outside requests and binds the request's logger to Nest's Logger calls inside them.
      useFactory: (config: Config) => {
        const { level, format } = loggingConfig(config);
        return { pinoHttp: [pinoOptions(level), logDestination(format)] as const, useExisting: true as const };
      },
    }),
  ],
  controllers: [MetricsController],
  providers: [GracefulShutdown, IdleCollector, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [GracefulShutdown],
})
export class OpsModule {}
