import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, OptionalAuth, Roles, type AuthUser } from '../common/http/access.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { ApiEventStream } from '../live/live-docs.js';
import { OrderIdPipe, OrderToken } from './orders.controller.js';
import { OrderLive } from './order-live.service.js';

const ORDER_EVENT = '`order` {id, number, status, updatedAt}: read the order (and its payment) again for the rest.';

@ApiTags('live')
@Controller('live/orders')
export class OrdersLiveController {
  constructor(private readonly live: OrderLive) {}

  @Roles('ADMIN')
  @Get()
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'streamOrders', summary: 'Every order created or changed, live (admin; the console listens here)' })
  @ApiEventStream(
    `Events: ${ORDER_EVENT} \`resync\` {} when changes may have been missed: read the list again. Ends when the bearer token expires.`,
  )
  @ApiForbiddenResponse({ type: ErrorResponse })
  all(@Req() req: Request, @Res() res: Response, @CurrentUser() user: AuthUser): void {
    this.live.watchAll(req, res, user);
  }

  @OptionalAuth()
  @Get(':id')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'streamOrder',
    summary: "One order's status, live (its customer, the guest holding its token, or an admin): the payment page listens here",
  })
  @ApiEventStream(`Events: ${ORDER_EVENT} The first event is the order as it is now.`)
  @ApiNotFoundResponse({ type: ErrorResponse })
  one(
    @Param('id', OrderIdPipe) id: string,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentUser() user: AuthUser | undefined,
    @OrderToken() guestToken?: string,
  ): Promise<void> {
    return this.live.watchOne(id, { user, guestToken }, req, res);
  }
}
