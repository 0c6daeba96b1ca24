import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { Public } from '../common/http/access.js';
import { NotFoundError, UnauthorizedError } from '../common/errors/domain-errors.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { MetricsService } from './metrics.service.js';
import { SkipRateLimit } from './rate-limit.js';

/** The document's security scheme for METRICS_TOKEN (a bearer token that is not a user's). */
export const METRICS_TOKEN_SCHEME = 'metricsToken';

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

@ApiTags('operations')
@Controller('metrics')
@SkipRateLimit()
export class MetricsController {
  private readonly enabled: boolean;
  private readonly token?: string;

  constructor(
    private readonly metrics: MetricsService,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    this.enabled = config.get('METRICS_ENABLED', { infer: true });
    this.token = config.get('METRICS_TOKEN', { infer: true }) || undefined;
  }

  /** Prometheus scrape endpoint. Not a user token: when METRICS_TOKEN is set, the scraper sends it as a bearer. */
  @Public()
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of this instance',
    description: 'Bearer METRICS_TOKEN when configured; 404 when METRICS_ENABLED=false.',
  })
  @ApiBearerAuth(METRICS_TOKEN_SCHEME)
  @ApiOkResponse({
    description: 'Metrics in the Prometheus text format',
    content: { [Registry.PROMETHEUS_CONTENT_TYPE]: { schema: { type: 'string' } } },
  })
  @ApiUnauthorizedResponse({ type: ErrorResponse, description: 'METRICS_TOKEN is set and the bearer token does not match' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'Metrics are disabled' })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) res: Response): Promise<string> {
    if (!this.enabled) throw new NotFoundError('Metrics endpoint');
    if (this.token) {
      const given = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
      if (!sameSecret(given, this.token)) throw new UnauthorizedError('A valid metrics token is required');
    }
    const body = await this.metrics.render();
    // Set here rather than with @Header so that errors keep their JSON content type.
    res.type(Registry.PROMETHEUS_CONTENT_TYPE);
    return body;
  }
}
