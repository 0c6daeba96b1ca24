import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, PrismaHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/http/access.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { SkipRateLimit } from '../ops/rate-limit.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: PrismaHealthIndicator,
    private readonly prisma: PrismaService,
  ) {}

  /** Liveness plus a database round trip; 503 when the database cannot be reached. Never rate limited (load balancers poll it). */
  @Public()
  @SkipRateLimit()
  @Get()
  @HealthCheck()
  @ApiOkResponse({ description: 'The process is up and the database answers' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse })
  @ApiOperation({ operationId: 'checkHealth', summary: 'Liveness plus a database round trip (503 when the database cannot be reached)' })
  check() {
    return this.health.check([() => this.db.pingCheck('database', this.prisma).withTimeout(2_000)]);
  }
}
