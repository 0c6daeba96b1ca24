import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  NotEquals,
} from 'class-validator';
import { ProductStatus, StockMovementKind } from '../../generated/prisma/enums.js';
import { QueryBoolean, Trim } from '../../common/http/transforms.js';
import { LimitQuery, PageQuery } from '../../common/http/page-query.dto.js';

/** The most units one adjustment or opening stock may move, and the most a variant may hold (int column headroom). */
export const MAX_STOCK_UNITS = 1_000_000_000;

export class VariantIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() variantId!: string;
}

export class ListInventoryQueryDto extends PageQuery({ defaultLimit: 50, maxLimit: 200, maxPage: 10_000 }) {
  @ApiPropertyOptional({ description: 'true: only active variants of active products whose available ≤ their lowStockThreshold' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  lowStock?: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: "Only this product's variants" })
  @IsOptional()
  @IsUUID()
  productId?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive search in SKU, variant name and product name', maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  q?: string;
}

/** Exactly one of onHand (absolute count, e.g. after a stock take) or delta (signed change), plus why. */
export class AdjustInventoryDto {
  @ApiPropertyOptional({ minimum: 0, description: 'Set on hand to this count (cannot go below what is reserved)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_UNITS)
  onHand?: number;

  @ApiPropertyOptional({ example: -2, description: 'Add (positive) or remove (negative) units' })
  @IsOptional()
  @IsInt()
  @NotEquals(0)
  @Min(-MAX_STOCK_UNITS)
  @Max(MAX_STOCK_UNITS)
  delta?: number;

  @ApiProperty({ example: 'Stock take 2026-11: two damaged', maxLength: 500 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class MovementsQueryDto extends LimitQuery({ defaultLimit: 50, maxLimit: 200 }) {
  @ApiPropertyOptional({ description: 'Return movements older than this id (nextCursor of the previous page)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be a movement id' })
  before?: string;
}

export class InventoryItemResponse {
  @ApiProperty({ format: 'uuid' }) variantId!: string;
  @ApiProperty() sku!: string;
  @ApiProperty() variantName!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() productName!: string;
  @ApiProperty() productSlug!: string;
  @ApiProperty({ enum: ProductStatus }) productStatus!: ProductStatus;
  @ApiProperty() variantActive!: boolean;
  @ApiProperty() onHand!: number;
  @ApiProperty({ description: 'Held for unpaid orders' }) reserved!: number;
  @ApiProperty({ description: 'on hand − reserved' }) available!: number;
  @ApiProperty() lowStockThreshold!: number;
  @ApiProperty({ description: 'available ≤ lowStockThreshold' }) lowStock!: boolean;
  @ApiPropertyOptional({ nullable: true, type: Date, description: 'Last stock change' }) updatedAt!: Date | null;
}

export class InventoryPageResponse {
  @ApiProperty({ type: [InventoryItemResponse] }) items!: InventoryItemResponse[];
  @ApiProperty() page!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() total!: number;
  @ApiProperty() totalPages!: number;
}

export class StockMovementResponse {
  @ApiProperty({ example: '1042' }) id!: string;
  @ApiProperty({ enum: StockMovementKind }) kind!: StockMovementKind;
  @ApiProperty() onHandDelta!: number;
  @ApiProperty() reservedDelta!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid', description: 'The order that moved the stock' }) orderId!:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The admin (or "system") who moved it' }) actorId!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class MovementPageResponse {
  @ApiProperty({ type: [StockMovementResponse] }) items!: StockMovementResponse[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as `before` for the next (older) page' }) nextCursor!:
    string | null;
}
