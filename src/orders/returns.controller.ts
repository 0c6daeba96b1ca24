import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentActor, CurrentUser, OptionalAuth, Roles, type AuthUser } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { OrderIdPipe, OrderToken } from './orders.controller.js';
import { ReturnsService } from './returns.service.js';
import { CreateReturnDto, ReceiveReturnDto, RejectReturnDto, ReturnResponse, toReturnResponse } from './dto/returns.dto.js';

@ApiTags('returns')
@ApiBearerAuth()
@Controller('orders/:id/returns')
export class ReturnsController {
  constructor(private readonly returns: ReturnsService) {}

  @OptionalAuth()
  @Post()
  @Idempotent()
  @ApiOperation({
    operationId: 'requestReturn',
    summary: 'Ask to return items of a fulfilled or delivered order (its customer, its guest token, or an admin)',
  })
  @ApiCreatedResponse({ type: ReturnResponse })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description: 'Unknown order item, repeated item, or more than is returnable (details per line)',
  })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The order is not fulfilled or delivered, or already has an open return' })
  async request(
    @Param('id', OrderIdPipe) id: string,
    @Body() dto: CreateReturnDto,
    @CurrentUser() user: AuthUser | undefined,
    @CurrentActor() actor: Actor,
    @OrderToken() guestToken?: string,
  ): Promise<ReturnResponse> {
    return toReturnResponse(await this.returns.request(id, { user, guestToken }, dto.items, dto.reason, actor));
  }

  @OptionalAuth()
  @Get()
  @ApiOperation({ operationId: 'listReturns', summary: "An order's returns, oldest first" })
  @ApiOkResponse({ type: [ReturnResponse] })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async list(
    @Param('id', OrderIdPipe) id: string,
    @CurrentUser() user: AuthUser | undefined,
    @OrderToken() guestToken?: string,
  ): Promise<ReturnResponse[]> {
    return (await this.returns.list(id, { user, guestToken })).map(toReturnResponse);
  }

  @Roles('ADMIN')
  @Post(':returnId/accept')
  @HttpCode(200)
  @ApiOperation({ operationId: 'acceptReturn', summary: 'Accept a requested return (admin): the customer may send the goods' })
  @ApiOkResponse({ type: ReturnResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The return is not REQUESTED' })
  async accept(
    @Param('id', OrderIdPipe) id: string,
    @Param('returnId', ParseUUIDPipe) returnId: string,
    @CurrentActor() actor: Actor,
  ): Promise<ReturnResponse> {
    return toReturnResponse(await this.returns.accept(id, returnId, actor));
  }

  @Roles('ADMIN')
  @Post(':returnId/receive')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'receiveReturn',
    summary:
      'Record the goods as received (admin): the received quantities go back on the shelf (RESTOCK movements); the order becomes RETURNED',
  })
  @ApiOkResponse({ type: ReturnResponse })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description: 'A received quantity exceeds the requested one, or an item is not in the return',
  })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The return is not ACCEPTED' })
  async receive(
    @Param('id', OrderIdPipe) id: string,
    @Param('returnId', ParseUUIDPipe) returnId: string,
    @Body() dto: ReceiveReturnDto,
    @CurrentActor() actor: Actor,
  ): Promise<ReturnResponse> {
    return toReturnResponse(await this.returns.receive(id, returnId, dto.items, actor));
  }

  @Roles('ADMIN')
  @Post(':returnId/reject')
  @HttpCode(200)
  @ApiOperation({ operationId: 'rejectReturn', summary: 'Reject a return (admin); the order goes back to DELIVERED' })
  @ApiOkResponse({ type: ReturnResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The return is already received or rejected' })
  async reject(
    @Param('id', OrderIdPipe) id: string,
    @Param('returnId', ParseUUIDPipe) returnId: string,
    @Body() dto: RejectReturnDto,
    @CurrentActor() actor: Actor,
  ): Promise<ReturnResponse> {
    return toReturnResponse(await this.returns.reject(id, returnId, dto.reason, actor));
  }
}
