import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsUUID, Max, Min, ValidateNested } from 'class-validator';

/** Most units of one line: far above any real basket, low enough that totals stay exact integers. */
export const MAX_LINE_QUANTITY = 10_000;

export class CartLineDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() variantId!: string;
  @ApiProperty({ minimum: 1, maximum: MAX_LINE_QUANTITY, example: 2 }) @IsInt() @Min(1) @Max(MAX_LINE_QUANTITY) quantity!: number;
}

export class CartQuoteDto {
  @ApiProperty({ type: [CartLineDto], minItems: 1, maxItems: 100 })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => CartLineDto) items!: CartLineDto[];
}

export class CartQuoteLineResponse {
  @ApiProperty({ format: 'uuid' }) variantId!: string;
  @ApiProperty() sku!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() productName!: string;
  @ApiProperty() variantName!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ example: 189900 }) unitPriceMinor!: number;
  @ApiProperty({ example: 379800 }) lineTotalMinor!: number;
  @ApiProperty({ description: 'Units of this variant available now (on hand − reserved)' }) available!: number;
  @ApiProperty({ description: 'The whole cart\'s quantity of this variant (all its lines together) is available' }) inStock!: boolean;
}

export class CartQuoteResponse {
  @ApiProperty({ example: 'INR' }) currency!: string;
  @ApiProperty({ type: [CartQuoteLineResponse] }) items!: CartQuoteLineResponse[];
  @ApiProperty({ example: 379800, description: 'Sum of line totals in minor units' }) totalMinor!: number;
  @ApiProperty({ description: 'Every line is in stock' }) allInStock!: boolean;
}
