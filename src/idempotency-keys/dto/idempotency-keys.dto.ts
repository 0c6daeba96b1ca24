import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Min } from 'class-validator';
import { LimitQuery } from '../../common/http/page-query.dto.js';

export class IdempotencyKeysQueryDto extends LimitQuery({ defaultLimit: 50, maxLimit: 200 }) {
  @ApiPropertyOptional({ enum: ['in_progress', 'completed'], default: 'in_progress' })
  @IsOptional()
  @IsIn(['in_progress', 'completed'])
  state: 'in_progress' | 'completed' = 'in_progress';
  @ApiPropertyOptional({ type: Number, description: 'Only keys claimed at least this many seconds ago' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  olderThanSeconds?: number;
}

export class IdempotencyKeyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Whose key: user:<id> or guest' }) scope!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ enum: ['IN_PROGRESS', 'COMPLETED'] }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'POST' }) method!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '/orders/checkout' }) path!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    enum: ['order', 'refund'],
    description: 'What the request records the key on; then whether it committed is known',
  })
  records!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Status of the stored response (completed keys)' }) responseStatus!:
    number | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() expiresAt!: Date;
}

export class IdempotencyKeyResolution {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    enum: ['completed', 'released'],
    description:
      'completed: its request had committed; the key now replays that outcome. released: nothing was committed under it; the key is ' +
      'free for a retry.',
  })
  outcome!: 'completed' | 'released';
  @ApiPropertyOptional({ format: 'uuid', description: 'The order its checkout placed' }) orderId?: string;
  @ApiPropertyOptional({ type: [String], description: 'The refunds its request created' }) refundIds?: string[];
}
