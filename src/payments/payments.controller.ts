import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentActor, CurrentUser, OptionalAuth, Public, Roles, type AuthUser } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { Idempotent, IdempotencyKeyId } from '../idempotency/idempotent.decorator.js';
import { OrderIdPipe, OrderToken } from '../orders/orders.controller.js';
import { PaymentsService } from './payments.service.js';
import { RefundsService } from './refunds.service.js';
import { PAYMENT_METHOD_NAME_SCHEMA } from '../orders/payment-gateway.js';
import {
  ClientConfirmationResponse,
  CreateRefundDto,
  PaymentInstructionsResponse,
  PaymentMethodsResponse,
  PaymentSummaryResponse,
  RefundOutcomeResponse,
  toPaymentSummary,
  toRefund,
} from './dto/payments.dto.js';

/** The operation id of the client confirmation route, whose request bodies the registry fills in (payments-openapi.ts). */
export const CONFIRMATION_OPERATION_ID = 'confirmProviderPayment';

@ApiTags('payments')
@Controller()
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
  ) {}

  @Public()
  @Get('payments/methods')
  @ApiOperation({
    operationId: 'listPaymentMethods',
    summary: 'Payment methods customers can choose right now (configured providers and cash on delivery)',
  })
  @ApiOkResponse({ type: PaymentMethodsResponse })
  methods(): Promise<PaymentMethodsResponse> {
    return this.payments.enabledMethods();
  }

  @OptionalAuth()
  @Get('orders/:id/payment')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'getOrderPayment',
    summary:
      "An order's payments: status, provider ids, attempts, refunds, paid and refunded totals (its customer, its guest token, or an admin)",
  })
  @ApiOkResponse({ type: PaymentSummaryResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async summary(
    @Param('id', OrderIdPipe) id: string,
    @CurrentUser() user: AuthUser | undefined,
    @OrderToken() guestToken?: string,
  ): Promise<PaymentSummaryResponse> {
    return toPaymentSummary(await this.payments.summary(id, { user, guestToken }));
  }

  @OptionalAuth()
  @Post('orders/:id/payment')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'startOrderPayment',
    summary: 'Payment instructions for an unpaid order',
    description:
      'Returns the existing provider payment (Stripe client secret, Razorpay order) or creates it if checkout could not reach the provider. ' +
      'Never creates a second provider payment for the order.',
  })
  @ApiOkResponse({ type: PaymentInstructionsResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The order is not awaiting payment, or its reservation expired' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'The provider is not configured or could not be reached; retry' })
  retry(
    @Param('id', OrderIdPipe) id: string,
    @CurrentUser() user: AuthUser | undefined,
    @OrderToken() guestToken?: string,
  ): Promise<PaymentInstructionsResponse> {
    return this.payments.retryPayment(id, { user, guestToken });
  }

  @Roles('ADMIN')
  @Post('orders/:id/payment/reconcile')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'reconcileOrderPayment',
    summary: "Re-read an order's payments from its providers and apply what was missed (admin)",
    description:
      'For lost webhooks: each provider payment is fetched and applied exactly like its webhook would be (idempotent), and refunds ' +
      'still PENDING are re-sent with their original idempotency keys or their status is fetched.',
  })
  @ApiOkResponse({ type: PaymentSummaryResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'A provider is not configured or could not be reached; retry' })
  async reconcile(@Param('id', OrderIdPipe) id: string, @CurrentActor() actor: Actor): Promise<PaymentSummaryResponse> {
    return toPaymentSummary(await this.payments.reconcile(id, actor));
  }

  @Public()
  @Post('payments/:provider/verify')
  @HttpCode(200)
  @ApiOperation({
    operationId: CONFIRMATION_OPERATION_ID,
    summary: "Confirm a payment with the provider's client-side result (Razorpay Checkout's handler: POST /payments/razorpay/verify)",
    description:
      "The body is the provider's (see the request schemas); its signature is checked in constant time before anything else. The payment is " +
      'then read from the provider and applied exactly once, however often this is called and whether or not the webhook got there first.',
  })
  @ApiParam({ name: 'provider', schema: { type: 'string', allOf: [{ $ref: `#/components/schemas/${PAYMENT_METHOD_NAME_SCHEMA}` }] } })
  @ApiOkResponse({ type: ClientConfirmationResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Bad signature or fields: nothing is changed' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No provider of that name confirms payments, or no order for this payment' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'The provider is not configured or could not be reached; retry' })
  confirm(@Param('provider') provider: string, @Body() body: unknown): Promise<ClientConfirmationResponse> {
    return this.payments.confirm(provider, body);
  }

  @Roles('ADMIN')
  @Post('orders/:id/refunds')
  @Idempotent({ records: 'refund', required: true })
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'createRefund',
    summary: 'Refund an order fully or partly through its provider (admin; Idempotency-Key required)',
    description:
      'Never more than captured − refunded − pending. The order becomes PARTIALLY_REFUNDED or REFUNDED only once the provider confirms ' +
      '(in this response or later by webhook); until then the refund is PENDING.',
  })
  @ApiCreatedResponse({ type: RefundOutcomeResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Invalid body or missing Idempotency-Key' })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponse,
    description: 'Amount exceeds what is refundable (details.refundableMinor), or the provider refused',
  })
  @ApiBody({
    type: CreateRefundDto,
    examples: {
      partial: { summary: 'Refund part of the order (minor units)', value: { amountMinor: 25000, reason: 'Damaged in transit' } },
      full: { summary: 'Refund everything still refundable', value: { reason: 'Customer cancelled after payment' } },
    },
  })
  async refund(
    @Param('id', OrderIdPipe) id: string,
    @Body() dto: CreateRefundDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKeyId() idempotencyKeyId?: string,
  ): Promise<RefundOutcomeResponse> {
    const outcome = await this.refunds.requestRefund(id, { ...dto, idempotencyKeyId }, actor);
    return { orderId: outcome.orderId, orderStatus: outcome.orderStatus, refunds: outcome.refunds.map(toRefund) };
  }
}
