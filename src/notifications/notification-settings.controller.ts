import { Body, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { SettingsService } from '../settings/settings.service.js';
import {
  NotificationSettingsResponse,
  SendTestNotificationDto,
  TestNotificationResponse,
  UpdateNotificationSettingsDto,
} from './dto/notification-settings.dto.js';
import { NotificationsService } from './notifications.service.js';

/**
 * The brand's customer notifications: which channels are on and which order events notify. Channel credentials are set
 * with the other credentials, in PATCH /admin/settings (`credentials.whatsapp`, `.twilio`, `.smtp`).
 */
@AdminController('admin/notifications', 'notifications')
export class NotificationSettingsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly settings: SettingsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getNotificationSettings',
    summary: 'Notification channels (configured or not) and the events that notify customers',
  })
  @ApiOkResponse({ type: NotificationSettingsResponse })
  view(): Promise<NotificationSettingsResponse> {
    return this.describe();
  }

  @Patch()
  @ApiOperation({ operationId: 'updateNotificationSettings', summary: 'Choose which order events notify customers (audited)' })
  @ApiOkResponse({ type: NotificationSettingsResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async update(@Body() body: UpdateNotificationSettingsDto, @CurrentActor() actor: Actor): Promise<NotificationSettingsResponse> {
    if (body.notifyEvents !== undefined) await this.settings.setNotifyEvents(body.notifyEvents, actor);
    return this.describe();
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'sendTestNotification',
    summary: "Send the brand's order-confirmed message about a made-up order TEST-0001 to an address, now, on one channel",
  })
  @ApiOkResponse({ type: TestNotificationResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'The channel is not configured, or the address does not suit it' })
  @ApiBadGatewayResponse({ type: ErrorResponse, description: "The provider refused or failed: its answer's status and message" })
  async sendTest(@Body() body: SendTestNotificationDto): Promise<TestNotificationResponse> {
    const sent = await this.notifications.sendTest(body.channel, body.to.trim());
    return { channel: body.channel, ...sent };
  }

  private async describe(): Promise<NotificationSettingsResponse> {
    const [channels, { events, source }] = await Promise.all([this.notifications.channels(), this.notifications.notifyEvents()]);
    return { channels, notifyEvents: events, notifyEventsSource: source };
  }
}
