import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { LimitQuery } from '../../common/http/page-query.dto.js';

export class AuditQueryDto extends LimitQuery({ defaultLimit: 50, maxLimit: 200 }) {
  @ApiPropertyOptional({ example: 'order' }) @IsOptional() @IsString() @MaxLength(64) entityType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) entityId?: string;
  @ApiPropertyOptional({ description: 'Return entries older than this id (cursor from the previous page)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/)
  before?: string;
}

export class AuditEntryResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'USER' }) actorType!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) actorId!: string | null;
  @ApiProperty({ example: 'order.transition' }) action!: string;
  @ApiProperty() entityType!: string;
  @ApiProperty() entityId!: string;
  @ApiPropertyOptional({ nullable: true, type: Object }) before!: unknown;
  @ApiPropertyOptional({ nullable: true, type: Object }) after!: unknown;
  @ApiPropertyOptional({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class AuditPageResponse {
  @ApiProperty({ type: [AuditEntryResponse] }) items!: AuditEntryResponse[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as `before` for the next page' }) nextCursor!: string | null;
}
