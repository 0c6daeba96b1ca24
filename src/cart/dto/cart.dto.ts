import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { lower } from '../../common/http/transforms.js';
import { CART_LIMITS } from '../cart-pricing.js';

/** One line of a cart: the quote and checkout take the same lines, within the same limits. */
export class CartLineDto {
  @ApiProperty({ format: 'uuid' }) @Transform(lower) @IsUUID('all') variantId!: string;
  @ApiProperty({ minimum: 1, maximum: CART_LIMITS.quantity, example: 2 }) @IsInt() @Min(1) @Max(CART_LIMITS.quantity) quantity!: number;
}

/** `items` of a quote or a checkout: 1 to CART_LIMITS.lines lines. */
export const CartItems = () =>
  applyDecorators(
    ApiProperty({
      type: [CartLineDto],
      minItems: 1,
      maxItems: CART_LIMITS.lines,
      description: `1 to ${CART_LIMITS.lines} lines; prices come from the catalogue`,
    }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(CART_LIMITS.lines),
    ValidateNested({ each: true }),
    Type(() => CartLineDto),
  );

export class CartQuoteDto {
  @CartItems() items!: CartLineDto[];
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
  @ApiProperty({ description: "The whole cart's quantity of this variant (all its lines together) is available" }) inStock!: boolean;
}

export class CartQuoteResponse {
  @ApiProperty({ example: 'INR' }) currency!: string;
  @ApiProperty({ type: [CartQuoteLineResponse] }) items!: CartQuoteLineResponse[];
  @ApiProperty({ example: 379800, description: 'Sum of line totals in minor units' }) totalMinor!: number;
  @ApiProperty({ description: 'Every line is in stock' }) allInStock!: boolean;
}
