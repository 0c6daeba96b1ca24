import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { MoneyAmount } from '../../common/http/money-amount.dto.js';

export class OverviewQueryDto {
  @ApiPropertyOptional({
    description: 'Start of "today" (ISO 8601): the console sends the local midnight of the browser; default: midnight UTC',
    example: '2026-12-03T00:00:00+05:30',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;
}

export class OverviewResponse {
  @ApiProperty({ description: 'The start of the day the figures count from' }) since!: Date;
  @ApiProperty({ example: 12, description: 'Orders placed since then (any status)' }) ordersToday!: number;
  @ApiProperty({ type: [MoneyAmount], description: 'Payments captured since then (applied captures and cash collected), per currency' })
  revenueToday!: MoneyAmount[];
  @ApiProperty({ example: 4, description: 'Orders that can be fulfilled now (paid, or confirmed cash on delivery)' })
  pendingFulfilment!: number;
  @ApiProperty({ example: 2, description: 'Variants on sale at or below their low-stock threshold' }) lowStock!: number;
  @ApiProperty({ example: 0, description: 'Outbox messages (notifications, webhooks) that gave up: see GET /admin/outbox?status=failed' })
  failedDeliveries!: number;
}
