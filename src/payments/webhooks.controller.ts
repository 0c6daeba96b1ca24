import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../auth/decorators.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { SkipRateLimit } from '../ops/rate-limit.js';
import { WebhooksService } from './webhooks.service.js';
import { WebhookReceiptResponse } from './dto/payments.dto.js';

/**
 * Provider webhooks. Public (the signature over the raw body is the authentication) and exempt from rate limits: a
 * provider retrying a backlog must never be throttled.
 */
@ApiTags('webhooks')
@Public()
@SkipRateLimit()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('stripe')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stripe webhook endpoint', description: 'Verifies Stripe-Signature (HMAC-SHA256 over "t.payload", timestamp tolerance) and applies the event once.' })
  @ApiHeader({ name: 'Stripe-Signature', required: true })
  @ApiOkResponse({ type: WebhookReceiptResponse, description: 'Accepted (also for duplicates and event types Orderline ignores)' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Missing or invalid signature: nothing is stored' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'Stripe webhooks are not configured (no STRIPE_WEBHOOK_SECRET)' })
  stripe(@Req() req: RawBodyRequest<Request>, @Headers() headers: Record<string, string>): Promise<WebhookReceiptResponse> {
    return this.webhooks.receive('STRIPE', req.rawBody, headers);
  }

  @Post('razorpay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Razorpay webhook endpoint', description: 'Verifies X-Razorpay-Signature (hex HMAC-SHA256 of the raw body) and applies the event once (X-Razorpay-Event-Id).' })
  @ApiHeader({ name: 'X-Razorpay-Signature', required: true })
  @ApiHeader({ name: 'X-Razorpay-Event-Id', required: false })
  @ApiOkResponse({ type: WebhookReceiptResponse, description: 'Accepted (also for duplicates and event types Orderline ignores)' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Missing or invalid signature: nothing is stored' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'Razorpay webhooks are not configured (no RAZORPAY_WEBHOOK_SECRET)' })
  razorpay(@Req() req: RawBodyRequest<Request>, @Headers() headers: Record<string, string>): Promise<WebhookReceiptResponse> {
    return this.webhooks.receive('RAZORPAY', req.rawBody, headers);
  }
}
