import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ORDER_EVENT_TYPES, type OrderEventType } from '../../outbox/outbox-events.js';
import { CHANNEL_NAMES, type ChannelName } from '../notification-channel.js';

const EVENTS_MESSAGE = `each value in notifyEvents must be one of: ${ORDER_EVENT_TYPES.join(', ')}`;

export class UpdateNotificationSettingsDto {
  @ApiPropertyOptional({
    nullable: true,
    enum: ORDER_EVENT_TYPES,
    enumName: 'OrderEventType',
    isArray: true,
    example: ['order.paid', 'order.fulfilled', 'order.delivered'],
    description:
      "Order events the brand's customers are told about ([] = none); null returns to the default (NOTIFY_EVENTS for the default brand)",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ORDER_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(ORDER_EVENT_TYPES, { each: true, message: EVENTS_MESSAGE })
  notifyEvents?: OrderEventType[] | null;
}

export class SendTestNotificationDto {
  @ApiProperty({ enum: CHANNEL_NAMES, enumName: 'NotificationChannelName', example: 'whatsapp' })
  @IsIn(CHANNEL_NAMES)
  channel!: ChannelName;

  @ApiProperty({
    example: '+919812345678',
    description: 'A phone number with country code (WhatsApp, SMS) or an email address',
    maxLength: 254,
  })
  @IsString()
  @MinLength(3)
  @MaxLength(254)
  to!: string;
}

export class NotificationChannelResponse {
  @ApiProperty({ enum: CHANNEL_NAMES, enumName: 'NotificationChannelName' }) name!: ChannelName;
  @ApiProperty({ example: 'WhatsApp' }) label!: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'whatsapp',
    description: "Its key in the settings' credentials (GET/PATCH /admin/settings); null for the log",
  })
  provider!: string | null;
  @ApiProperty({ description: 'Messages go out through it: every credential is in effect (the log: no other channel is)' })
  enabled!: boolean;
}

export class NotificationSettingsResponse {
  @ApiProperty({ type: [NotificationChannelResponse] }) channels!: NotificationChannelResponse[];
  @ApiProperty({
    enum: ORDER_EVENT_TYPES,
    enumName: 'OrderEventType',
    isArray: true,
    description: 'The order events customers are told about now',
  })
  notifyEvents!: OrderEventType[];
  @ApiProperty({
    enum: ['settings', 'environment', 'default'],
    description: "Where notifyEvents comes from: the brand's choice, NOTIFY_EVENTS (default brand), or the built-in list",
  })
  notifyEventsSource!: 'settings' | 'environment' | 'default';
}

export class TestNotificationResponse {
  @ApiProperty({ enum: CHANNEL_NAMES, enumName: 'NotificationChannelName' }) channel!: ChannelName;
  @ApiProperty({ example: '***5678', description: 'Where it went, masked as in the logs' }) to!: string;
}
