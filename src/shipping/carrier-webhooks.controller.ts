import { Controller, Headers, HttpCode, Param, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/http/access.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { SkipRateLimit } from '../ops/rate-limit.js';
import { CarrierWebhooks, TrackingWebhookReceipt } from './carrier-webhooks.service.js';

/**
 * Carriers' tracking webhooks (/shipping/webhooks/{path}, the path each carrier declares). Public — the carrier's
 * token or signature is the authentication — and exempt from rate limits, like payment webhooks.
 */
@ApiTags('shipping')
@Public()
@SkipRateLimit()
@Controller('shipping/webhooks')
export class CarrierWebhooksController {
  constructor(private readonly webhooks: CarrierWebhooks) {}

  @Post(':path')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'receiveCarrierWebhook',
    summary: 'Carrier tracking webhook (Shiprocket: /shipping/webhooks/parcel-updates, token in x-api-key)',
    description: 'Verified, recorded once per carrier event id, applied only when newer than what the parcel already said.',
  })
  @ApiOkResponse({ type: TrackingWebhookReceipt, description: 'Accepted (also duplicates, stale events and unknown parcels)' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Missing or wrong token, or a body that is not a tracking event' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No carrier has a webhook at that path' })
  receive(
    @Param('path') path: string,
    @Req() req: RawBodyRequest<Request>,
    @Headers() headers: Record<string, string>,
  ): Promise<TrackingWebhookReceipt> {
    return this.webhooks.receive(path, req.rawBody, headers);
  }
}
