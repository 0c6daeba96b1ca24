import { Body, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointListResponse,
  WebhookEndpointResponse,
  WebhookEndpointWithSecretResponse,
} from './dto/webhook-endpoints.dto.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

@AdminController('admin/webhook-endpoints', 'webhook endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @ApiOperation({
    operationId: 'createWebhookEndpoint',
    summary: 'Register an endpoint. The response carries its signing secret, shown only this once',
  })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  create(@Body() body: CreateWebhookEndpointDto, @CurrentActor() actor: Actor): Promise<WebhookEndpointWithSecretResponse> {
    return this.endpoints.create(body, actor);
  }

  @Get()
  @ApiOkResponse({ type: WebhookEndpointListResponse })
  @ApiOperation({ operationId: 'listWebhookEndpoints', summary: 'Every registered webhook endpoint (admin)' })
  async list(): Promise<WebhookEndpointListResponse> {
    return { items: await this.endpoints.list() };
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiOperation({ operationId: 'getWebhookEndpoint', summary: 'One webhook endpoint with its delivery state (admin)' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<WebhookEndpointResponse> {
    return this.endpoints.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiOperation({ operationId: 'updateWebhookEndpoint', summary: "Change an endpoint's URL, events or active flag (admin)" })
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateWebhookEndpointDto,
    @CurrentActor() actor: Actor,
  ): Promise<WebhookEndpointResponse> {
    return this.endpoints.update(id, body, actor);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotateWebhookEndpointSecret',
    summary: 'Replace the signing secret; the new one is shown only in this response',
  })
  @ApiOkResponse({ type: WebhookEndpointWithSecretResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  rotateSecret(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor): Promise<WebhookEndpointWithSecretResponse> {
    return this.endpoints.rotateSecret(id, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhookEndpoint', summary: 'Delete an endpoint; its queued deliveries fail' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  remove(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.endpoints.remove(id, actor);
  }
}
