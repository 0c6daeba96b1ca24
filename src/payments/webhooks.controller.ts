import { Controller, Headers, HttpCode, Param, Post, Req, type RawBodyRequest } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/http/access.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { SkipRateLimit } from '../ops/rate-limit.js';
import { PAYMENT_METHOD_NAME_SCHEMA } from '../orders/payment-gateway.js';
import { WebhooksService } from './webhooks.service.js';
import { WebhookReceiptResponse } from './dto/payments.dto.js';

/** The operation id of the webhook route, whose provider list and headers the registry fills in (payments-openapi.ts). */
export const WEBHOOK_OPERATION_ID = 'receiveProviderWebhook';

/**
 * Provider webhooks, one route for every provider that sends them (/webhooks/stripe, /webhooks/razorpay, ...). Public
 * (the signature over the raw body is the authentication) and exempt from rate limits: a provider retrying a backlog
 * must never be throttled.
 */
@ApiTags('webhooks')
@Public()
@SkipRateLimit()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post(':provider')
  @HttpCode(200)
  @ApiOperation({
    operationId: WEBHOOK_OPERATION_ID,
    summary: 'Payment provider webhook endpoint',
    description: "Verifies the provider's signature over the raw body (see the headers) and applies the event once per provider event id.",
  })
  @ApiParam({ name: 'provider', schema: { type: 'string', allOf: [{ $ref: `#/components/schemas/${PAYMENT_METHOD_NAME_SCHEMA}` }] } })
  @ApiOkResponse({ type: WebhookReceiptResponse, description: 'Accepted (also for duplicates and event types Orderline ignores)' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Missing or invalid signature: nothing is stored' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No payment provider of that name sends webhooks' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: "The provider's webhook secret is not configured" })
  receive(
    @Param('provider') provider: string,
    @Req() req: RawBodyRequest<Request>,
    @Headers() headers: Record<string, string>,
  ): Promise<WebhookReceiptResponse> {
    return this.webhooks.receive(provider, req.rawBody, headers);
  }
}
