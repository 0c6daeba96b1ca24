import { Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { OutboxMessageResponse, OutboxPageResponse, OutboxQueryDto } from './dto/outbox.dto.js';
import { OutboxService } from './outbox.service.js';

@AdminController('admin/outbox', 'outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @ApiOperation({ operationId: 'listOutboxMessages', summary: 'Outbox messages, newest first (e.g. ?status=failed for the dead letters)' })
  @ApiOkResponse({ type: OutboxPageResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@Query() query: OutboxQueryDto): Promise<OutboxPageResponse> {
    return this.outbox.list(query);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ operationId: 'retryOutboxMessage', summary: 'Queue a FAILED message again with a fresh set of attempts' })
  @ApiOkResponse({ type: OutboxMessageResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The message is not FAILED' })
  retry(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor): Promise<OutboxMessageResponse> {
    return this.outbox.retry(id, actor);
  }
}
