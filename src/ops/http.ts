import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RequestHandler } from 'express';
import type { EnvironmentVariables } from '../config/configuration.js';
import { GracefulShutdown } from './graceful-shutdown.js';
import { limitJsonDepth } from './json-depth.js';
import { logDestination, loggingConfig, requestLogger } from './logging.js';
import { MetricsService } from './metrics.service.js';
import { REQUEST_ID_HEADER, requestIdMiddleware } from './request-id.js';
import { requestBrandMiddleware } from './request-brand.js';
import { securityHeaders } from './security-headers.js';
import { BrandsService } from '../brands/brands.service.js';

/** TRUST_PROXY: false, true, a hop count, or Express's list of trusted addresses ("loopback, 10.0.0.0/8"). */
export function parseTrustProxy(value: string): boolean | number | string {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  return /^\d+$/.test(v) ? Number(v) : value;
}

/** CORS_ORIGINS: empty (no cross-origin browser access), "*", or a comma-separated list of exact origins. */
export function parseCorsOrigins(value: string): true | string[] | undefined {
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (!origins.length) return undefined;
  return origins.includes('*') ? true : origins;
}

/**
 * Middlewares that apply to every request, run in order as one router layer (each layer costs Express a path match and
 * a few closures per request). An error (or a throw) ends the sequence and goes to Express's error handling, as it
 * would from separate layers.
 */
export function inSequence(handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let at = 0;
    const step = (error?: unknown) => {
      if (error !== undefined || at === handlers.length) {
        next(error);
        return;
      }
      void handlers[at++](req, res, step);
    };
    step();
  };
}

/**
 * The HTTP edge of every instance, in order: request tracking for graceful shutdown, the request id (into the
 * response header and the audit context), the request log line, request timing (only with METRICS_ENABLED: nothing
 * else reads it), security headers, CORS and size-limited body parsers (a larger body is answered 413 in the common
 * error shape) followed by the JSON depth limit (400). The request logger comes before the body parsers so that
 * requests they refuse (413, malformed JSON, too deep) are logged too; nestjs-pino then only binds it to the request
 * context (useExisting). Returns the edge middlewares (without the body parsers), for answers the front door gives.
 */
export function configureHttp(app: INestApplication): RequestHandler {
  const express = app as NestExpressApplication;
  const config = app.get<ConfigService<EnvironmentVariables, true>>(ConfigService);
  express.set('trust proxy', parseTrustProxy(config.get('TRUST_PROXY', { infer: true })));
  const logging = loggingConfig(config);
  const edge = inSequence([
    app.get(GracefulShutdown).trackRequests,
    requestIdMiddleware,
    requestBrandMiddleware(
      config.get('PLATFORM_MODE', { infer: true })
        ? { brands: app.get(BrandsService), platformDomain: config.get('PLATFORM_DOMAIN', { infer: true }) }
        : undefined,
    ),
    requestLogger(logging, logDestination(logging.format)),
    ...(config.get('METRICS_ENABLED', { infer: true }) ? [app.get(MetricsService).timeRequests] : []),
    securityHeaders(),
  ]);
  app.use(edge);
  const origins = parseCorsOrigins(config.get('CORS_ORIGINS', { infer: true }));
  if (origins) {
    app.enableCors({
      origin: origins,
      exposedHeaders: [REQUEST_ID_HEADER, 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
      maxAge: 600,
    });
  }
  const limit = config.get('BODY_LIMIT', { infer: true });
  express.useBodyParser('json', { limit });
  app.use(limitJsonDepth);
  express.useBodyParser('urlencoded', { limit, extended: true });
  return edge;
}
