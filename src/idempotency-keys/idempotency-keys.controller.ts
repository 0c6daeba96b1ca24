import { Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { IdempotencyKeyResolution, IdempotencyKeyResponse, IdempotencyKeysQueryDto } from './dto/idempotency-keys.dto.js';
import { IdempotencyKeysService } from './idempotency-keys.service.js';

@AdminController('admin/idempotency-keys', 'idempotency-keys')
export class IdempotencyKeysController {
  constructor(private readonly keys: IdempotencyKeysService) {}

  @Get()
  @ApiOperation({
    operationId: 'listIdempotencyKeys',
    summary: 'Idempotency keys, oldest first (?state=in_progress: requests that never stored a response, e.g. after a crash)',
  })
  @ApiOkResponse({ type: [IdempotencyKeyResponse] })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@Query() query: IdempotencyKeysQueryDto): Promise<IdempotencyKeyResponse[]> {
    return this.keys.list(query);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'resolveIdempotencyKey',
    summary: 'Settle a key left in progress: replay what its request committed, or release it',
    description:
      'With the key locked: if an order (checkout) or refunds reference it, the key is completed with that outcome; otherwise it is ' +
      'released, and its request, were it still running, can no longer commit under it. Audited.',
  })
  @ApiOkResponse({ type: IdempotencyKeyResolution })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not in progress, or its request is inside its transaction right now' })
  resolve(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor): Promise<IdempotencyKeyResolution> {
    return this.keys.resolve(id, actor);
  }
}
