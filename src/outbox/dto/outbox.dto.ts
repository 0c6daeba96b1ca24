import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { OutboxStatus } from '../../generated/prisma/enums.js';
import { LimitQuery } from '../../common/http/page-query.dto.js';

const STATUSES = Object.values(OutboxStatus);

export class OutboxQueryDto extends LimitQuery({ defaultLimit: 50, maxLimit: 200 }) {
  @ApiPropertyOptional({ enum: STATUSES, example: 'FAILED', description: 'Case-insensitive (failed, pending, delivered)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn(STATUSES, { message: `status must be one of: ${STATUSES.join(', ').toLowerCase()}` })
  status?: OutboxStatus;

  @ApiPropertyOptional({ example: 'order.paid' }) @IsOptional() @IsString() @MaxLength(64) event?: string;

  @ApiPropertyOptional({ description: 'Messages about one entity (order id, variant id)' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  aggregateId?: string;

  @ApiPropertyOptional({ description: 'Messages to one destination: webhook:<endpoint id> (its recent deliveries) or channel:<name>' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  destination?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor value from a previous page' })
  cursor?: string;
}

export class OutboxMessageResponse {
  @ApiProperty({ format: 'uuid', description: 'Also the event id sent to webhook receivers (X-Orderline-Event-Id)' }) id!: string;
  @ApiProperty({ example: 'order.paid' }) event!: string;
  @ApiProperty() aggregateId!: string;
  @ApiProperty({ example: 'webhook:3f1c…', description: 'channel:<whatsapp|sms|email|log> or webhook:<endpoint id>' }) destination!: string;
  @ApiProperty({ enum: STATUSES }) status!: OutboxStatus;
  @ApiProperty({ description: 'Delivery attempts so far' }) attempts!: number;
  @ApiProperty() nextAttemptAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) deliveredAt!: Date | null;
  @ApiProperty({ type: Object, description: 'The event payload' }) payload!: unknown;
}

export class OutboxPageResponse {
  @ApiProperty({ type: [OutboxMessageResponse] }) items!: OutboxMessageResponse[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as `cursor` for the next (older) page' }) nextCursor!:
    string | null;
}
