import {
  Body,
  Controller,
  createParamDecorator,
  Get,
  HttpCode,
  Injectable,
  Param,
  Post,
  Query,
  Res,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentActor, CurrentUser, OptionalAuth, Public, Roles, type AuthUser } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { UUID_PATTERN } from '../common/uuid.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { Idempotent, IdempotencyKeyId } from '../idempotency/idempotent.decorator.js';
import { StrictRateLimit } from '../ops/rate-limit.js';
import { CheckoutService } from './checkout.service.js';
import { OrdersService } from './orders.service.js';
import { CheckoutDto, CheckoutResponse } from './dto/checkout.dto.js';
import {
  AdminOrdersQueryDto,
  BulkFulfillDto,
  BulkFulfillResponse,
  CancelOrderDto,
  FulfillOrderDto,
  LookupOrderDto,
  OrderFilterDto,
  OrderHistoryEntryResponse,
  OrderPageResponse,
  OrderResponse,
  PageQueryDto,
  TrackingResponse,
  TrackOrderDto,
} from './dto/order.dto.js';
import { OrderTracking } from './order-tracking.service.js';
import { writeOrdersCsv } from './orders-csv.js';

/** An order id that is not even a UUID names no order: 404, like any other unknown order. */
@Injectable()
export class OrderIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID_PATTERN.test(value)) throw new NotFoundError('Order', value.slice(0, 64));
    return value.toLowerCase();
  }
}

/**
 * The guest's order token (X-Order-Token), optional: staff and the order's customer use their bearer token instead.
 * Read through this decorator so the document lists the header once, as optional (a bare @Headers() would add a
 * required one).
 */
export const OrderToken = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<Request>().header('x-order-token'),
  [
    // Nest calls enhancers with the parameter's index where ApiHeader expects the method's descriptor.
    (target: object, key?: string | symbol) => {
      const handler = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
      if (key !== undefined && handler)
        ApiHeader({ name: 'X-Order-Token', required: false, description: 'The guestToken returned by a guest checkout' })(
          target,
          key,
          handler,
        );
    },
  ],
);

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly checkoutService: CheckoutService,
    private readonly orders: OrdersService,
    private readonly tracking: OrderTracking,
  ) {}

  @OptionalAuth()
  @StrictRateLimit()
  @Post('checkout')
  @Idempotent({ omitFromReplay: ['guestToken'], records: 'order' })
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'createCheckout',
    summary: 'Place an order (signed in or as a guest)',
    description:
      'Prices come from the catalogue. Prepaid orders (stripe, razorpay) reserve stock until reservationExpiresAt and return what the client ' +
      'needs to pay; cash-on-delivery orders are confirmed and their stock sold at once. Guests get a one-time guestToken.',
  })
  @ApiCreatedResponse({ type: CheckoutResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Invalid body, or an item that does not exist or is not for sale' })
  @ApiConflictResponse({
    type: ErrorResponse,
    description: 'Not enough stock (details.lines: variantId, sku, requested, available), or the Idempotency-Key is in use',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponse,
    description: 'The payment method is not configured (details.code PAYMENT_METHOD_UNAVAILABLE, availableMethods); nothing is reserved',
  })
  @ApiBody({
    type: CheckoutDto,
    examples: {
      cashOnDelivery: {
        summary: 'A guest pays cash on delivery',
        value: {
          items: [{ variantId: '6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c', quantity: 2 }],
          contact: { name: 'Asha Rao', email: 'asha@example.com', phone: '+919812345678' },
          shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', postalCode: '560001', country: 'IN' },
          paymentMethod: 'cod',
        },
      },
      card: {
        summary: 'Card payment through Stripe (the response carries the client secret)',
        value: {
          items: [{ variantId: '6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c', quantity: 1 }],
          contact: { name: 'Asha Rao', phone: '+919812345678' },
          shippingAddress: { line1: '12 MG Road', line2: 'Flat 4B', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
          paymentMethod: 'stripe',
        },
      },
    },
  })
  checkout(
    @Body() dto: CheckoutDto,
    @CurrentUser() user: AuthUser | undefined,
    @CurrentActor() actor: Actor,
    @IdempotencyKeyId() idempotencyKeyId?: string,
  ): Promise<CheckoutResponse> {
    return this.checkoutService.checkout(dto, user, actor, idempotencyKeyId);
  }

  @OptionalAuth()
  @StrictRateLimit()
  @Post('lookup')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'lookupOrder',
    summary: 'Find an order by its number plus the email or phone given at checkout (for guests)',
  })
  @ApiOkResponse({ type: OrderResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  lookup(@Body() dto: LookupOrderDto): Promise<OrderResponse> {
    return this.orders.lookup(dto);
  }

  @Public()
  @StrictRateLimit()
  @Post('track')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'trackOrder',
    summary: 'Track an order by its number and the phone given at checkout (public; strictly rate-limited)',
    description:
      'Status, timeline, carrier and tracking link — no name, address or email. A wrong phone and an unknown number get the same 404.',
  })
  @ApiOkResponse({ type: TrackingResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  track(@Body() dto: TrackOrderDto): Promise<TrackingResponse> {
    return this.tracking.track(dto);
  }

  @Get('my-orders')
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'listMyOrders', summary: "The signed-in customer's orders, newest first" })
  @ApiOkResponse({ type: OrderPageResponse })
  myOrders(@CurrentUser() user: AuthUser, @Query() query: PageQueryDto): Promise<OrderPageResponse> {
    return this.orders.listMine(user.id, query);
  }

  @Get()
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'listOrders', summary: 'Search orders (admin)' })
  @ApiOkResponse({ type: OrderPageResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  async list(@Query() query: AdminOrdersQueryDto, @Res() res: Response): Promise<void> {
    res.type('json').send((await this.orders.list(query)).json);
  }

  @Get('export.csv')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'exportOrdersCsv',
    summary: 'Export the orders a filter matches as CSV (admin)',
    description: 'Same filters as GET /orders; streamed newest first, one row per order (items as "qty × sku" joined by "; ").',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'text/csv; charset=utf-8, with a header row', schema: { type: 'string' } })
  @ApiForbiddenResponse({ type: ErrorResponse })
  async exportCsv(@Query() filter: OrderFilterDto, @Res() res: Response): Promise<void> {
    await writeOrdersCsv(this.orders.scan(filter), res);
  }

  @Post('bulk-fulfill')
  @Roles('ADMIN')
  @HttpCode(200)
  @Idempotent()
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'bulkFulfillOrders',
    summary: 'Mark many orders shipped in one call (admin)',
    description:
      'Each order is fulfilled in its own transaction, exactly as POST /orders/{id}/fulfill; one that cannot be (unknown, not paid, ' +
      'already shipped) is reported in its result and does not stop the others.',
  })
  @ApiOkResponse({ type: BulkFulfillResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  bulkFulfill(@Body() dto: BulkFulfillDto, @CurrentActor() actor: Actor): Promise<BulkFulfillResponse> {
    return this.orders.bulkFulfill(dto, actor);
  }

  @OptionalAuth()
  @Get(':id')
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'getOrder', summary: 'One order (its customer, the guest holding its token, or an admin)' })
  @ApiOkResponse({ type: OrderResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(
    @Param('id', OrderIdPipe) id: string,
    @CurrentUser() user: AuthUser | undefined,
    @OrderToken() guestToken?: string,
  ): Promise<OrderResponse> {
    return this.orders.get(id, { user, guestToken });
  }

  @OptionalAuth()
  @Get(':id/history')
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'getOrderHistory', summary: 'Status history of an order, oldest first' })
  @ApiOkResponse({ type: [OrderHistoryEntryResponse] })
  @ApiNotFoundResponse({ type: ErrorResponse })
  history(
    @Param('id', OrderIdPipe) id: string,
    @CurrentUser() user: AuthUser | undefined,
    @OrderToken() guestToken?: string,
  ): Promise<OrderHistoryEntryResponse[]> {
    return this.orders.history(id, { user, guestToken });
  }

  @OptionalAuth()
  @Post(':id/cancel')
  @HttpCode(200)
  @Idempotent()
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'cancelOrder',
    summary: 'Cancel an order',
    description:
      'Customers and guests (with the order token) before payment; admins whenever the state machine allows. Releases or restocks the stock.',
  })
  @ApiOkResponse({ type: OrderResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not allowed in the current state (details: currentStatus, event)' })
  cancel(
    @Param('id', OrderIdPipe) id: string,
    @Body() dto: CancelOrderDto,
    @CurrentUser() user: AuthUser | undefined,
    @CurrentActor() actor: Actor,
    @OrderToken() guestToken?: string,
  ): Promise<OrderResponse> {
    return this.orders.cancel(id, { user, guestToken }, actor, dto.reason);
  }

  @Post(':id/fulfill')
  @Roles('ADMIN')
  @HttpCode(200)
  @Idempotent()
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'fulfillOrder', summary: 'Mark an order shipped (admin)' })
  @ApiOkResponse({ type: OrderResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not allowed in the current state (details: currentStatus, event)' })
  @ApiBody({
    type: FulfillOrderDto,
    examples: {
      tracked: { summary: 'Shipped with a carrier and tracking number', value: { carrier: 'Delhivery', trackingNumber: 'DL123456789IN' } },
      untracked: { summary: 'Shipped without tracking', value: {} },
    },
  })
  fulfill(@Param('id', OrderIdPipe) id: string, @Body() dto: FulfillOrderDto, @CurrentActor() actor: Actor): Promise<OrderResponse> {
    return this.orders.fulfill(id, actor, dto);
  }

  @Post(':id/deliver')
  @Roles('ADMIN')
  @HttpCode(200)
  @Idempotent()
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'deliverOrder',
    summary: 'Mark an order delivered (admin); for cash on delivery this records the cash collected',
  })
  @ApiOkResponse({ type: OrderResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not allowed in the current state (details: currentStatus, event)' })
  deliver(@Param('id', OrderIdPipe) id: string, @CurrentActor() actor: Actor): Promise<OrderResponse> {
    return this.orders.deliver(id, actor);
  }
}
