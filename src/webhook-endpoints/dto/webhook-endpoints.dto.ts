import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { IsOptionalNonNull } from '../../common/http/validation.js';
import { EVENT_TYPES } from '../../outbox/outbox-events.js';

/** Endpoints may subscribe to named events or to every event with "*". */
export const SUBSCRIBABLE_EVENTS = ['*', ...EVENT_TYPES] as const;
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
const URL_MESSAGE = 'url must be an http(s) URL (https in production)';
const EVENTS_MESSAGE = `each value in events must be one of: ${SUBSCRIBABLE_EVENTS.join(', ')}`;

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://hooks.example.com/orderline', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_OPTIONS, { message: URL_MESSAGE })
  url!: string;

  @ApiProperty({
    example: ['order.paid', 'order.fulfilled'],
    enum: SUBSCRIBABLE_EVENTS,
    isArray: true,
    description: '"*" subscribes to every event',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSCRIBABLE_EVENTS.length)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE_EVENTS, { each: true, message: EVENTS_MESSAGE })
  events!: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ example: 'https://hooks.example.com/orderline', maxLength: 2048 })
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_OPTIONS, { message: URL_MESSAGE })
  url?: string;

  @ApiPropertyOptional({ example: ['*'], enum: SUBSCRIBABLE_EVENTS, isArray: true })
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSCRIBABLE_EVENTS.length)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE_EVENTS, { each: true, message: EVENTS_MESSAGE })
  events?: string[];

  @ApiPropertyOptional({
    description: 'Inactive endpoints get no new deliveries; queued ones fail and can be retried once it is active again',
  })
  @IsOptionalNonNull()
  @IsBoolean()
  active?: boolean;
}

export class WebhookEndpointResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String], example: ['order.paid'] }) events!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class WebhookEndpointWithSecretResponse extends WebhookEndpointResponse {
  @ApiProperty({ example: 'ol_whsec_3q2+7w...', description: 'Signing secret. Shown only in this response: store it now' }) secret!: string;
}

export class WebhookEndpointListResponse {
  @ApiProperty({ type: [WebhookEndpointResponse] }) items!: WebhookEndpointResponse[];
}
