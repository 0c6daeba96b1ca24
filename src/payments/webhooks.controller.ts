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
import { BrandsService } from '../brands/brands.service.js';
import { activeBrandId } from '../common/context/brand-context.js';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { WebhookReceiptResponse } from './dto/payments.dto.js';

/** The operation ids of the webhook routes, whose provider list and headers the registry fills in (payments-openapi.ts). */
export const WEBHOOK_OPERATION_ID = 'receiveProviderWebhook';
export const BRAND_WEBHOOK_OPERATION_ID = 'receiveProviderBrandWebhook';

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
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly brands: BrandsService,
  ) {}

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

  /**
   * A brand's webhook route (platform mode): the request runs as the brand the slug names (resolved before any guard,
   * src/ops/request-brand.ts), so the event is verified with that brand's webhook secret only and applied to its orders
   * only; a slug that names no brand is a 404. The route without a slug is the default brand's.
   */
  @Post(':provider/:brandSlug')
  @HttpCode(200)
  @ApiOperation({
    operationId: BRAND_WEBHOOK_OPERATION_ID,
    summary: 'Payment provider webhook endpoint of one brand',
    description:
      "Platform mode: verifies the provider's signature with the webhook secret of the brand the slug names (never another brand's) " +
      'and applies the event to that brand only, once per provider event id. Still recorded while the brand is suspended.',
  })
  @ApiParam({ name: 'provider', schema: { type: 'string', allOf: [{ $ref: `#/components/schemas/${PAYMENT_METHOD_NAME_SCHEMA}` }] } })
  @ApiParam({ name: 'brandSlug', schema: { type: 'string', example: 'chai-point' } })
  @ApiOkResponse({ type: WebhookReceiptResponse, description: 'Accepted (also for duplicates and event types Orderline ignores)' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Missing or invalid signature: nothing is stored' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No such brand, or no payment provider of that name sends webhooks' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: "The brand's webhook secret for the provider is not configured" })
  async receiveForBrand(
    @Param('provider') provider: string,
    @Param('brandSlug') brandSlug: string,
    @Req() req: RawBodyRequest<Request>,
    @Headers() headers: Record<string, string>,
  ): Promise<WebhookReceiptResponse> {
    // In single-brand mode nothing resolved the slug: only the default brand's own slug is its.
    if ((await this.brands.byId(activeBrandId()))?.slug !== brandSlug) throw new NotFoundError('Brand', brandSlug.slice(0, 64));
    return this.webhooks.receive(provider, req.rawBody, headers);
  }
}
