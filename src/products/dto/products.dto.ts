import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ProductStatus } from '../../generated/prisma/enums.js';
import { MAX_STOCK_UNITS } from '../../inventory/dto/inventory.dto.js';
import { SLUG_MAX_LENGTH, SLUG_MESSAGE, SLUG_PATTERN } from '../slug.js';
import { IsOptionalNonNull } from '../../common/http/validation.js';
import { QueryBoolean, Trim } from '../../common/http/transforms.js';
import { IsImageUrl, IsVariantAttributes } from './validators.js';
import { PageQuery } from '../../common/http/page-query.dto.js';

const INT32_MAX = 2_147_483_647;
const CURRENCY = /^[A-Z]{3}$/;
const CURRENCY_MESSAGE = 'currency must be a three-letter ISO 4217 code in capitals (e.g. INR)';
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SKU_MESSAGE = 'sku must start with a letter or digit and contain only letters, digits, ".", "_" and "-"';

export type VariantAttributes = Record<string, string | number | boolean>;

// ---------- requests ----------

export class CreateVariantDto {
  @ApiProperty({ example: 'KURTA-IND-M', maxLength: 64 })
  @Trim()
  @IsString()
  @Length(1, 64)
  @Matches(SKU, { message: SKU_MESSAGE })
  sku!: string;

  @ApiProperty({ example: 'Size M', maxLength: 120 })
  @Trim()
  @IsString()
  @Length(1, 120)
  name!: string;

  @ApiPropertyOptional({ example: { size: 'M', colour: 'indigo' }, description: 'Flat object of string, number or boolean values' })
  @IsOptional()
  @IsVariantAttributes()
  attributes?: VariantAttributes;

  @ApiProperty({ example: 189900, description: 'Price in minor units (paise, cents)' })
  @IsInt()
  @Min(0)
  @Max(INT32_MAX)
  priceMinor!: number;

  @ApiProperty({ example: 'INR', description: 'ISO 4217 currency code' })
  @IsString()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  currency!: string;

  @ApiPropertyOptional({ default: 5, description: 'GET /inventory?lowStock=true lists the variant when available ≤ this' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_UNITS)
  lowStockThreshold?: number;

  @ApiPropertyOptional({ default: 0, description: 'Units on hand at creation (recorded as an ADJUSTMENT movement)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_UNITS)
  initialStock?: number;
}

export class CreateProductDto {
  @ApiProperty({ example: 'Indigo Block-Print Kurta', maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({
    example: 'indigo-block-print-kurta',
    maxLength: SLUG_MAX_LENGTH,
    description: 'Generated from the name when omitted (made unique with -2, -3, ...)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(SLUG_MAX_LENGTH)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiPropertyOptional({ example: 'apparel', maxLength: 64 })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 64)
  category?: string;

  @ApiPropertyOptional({ type: [String], example: ['https://images.example.com/kurta.jpg'], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsImageUrl({ each: true })
  @MaxLength(2000, { each: true })
  images?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'Scheduled drop: listed, but not purchasable before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  availableFrom?: string;

  @ApiProperty({ type: [CreateVariantDto], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CreateVariantDto)
  variants!: CreateVariantDto[];
}

export class UpdateProductDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Renaming keeps the slug (links stay valid); send slug to change it' })
  @IsOptionalNonNull()
  @Trim()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ maxLength: SLUG_MAX_LENGTH })
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(SLUG_MAX_LENGTH)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug?: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 5000, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 64, description: 'null clears it' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 64)
  category?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: 20 })
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsImageUrl({ each: true })
  @MaxLength(2000, { each: true })
  images?: string[];

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time', description: 'null makes it purchasable now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  availableFrom?: string | null;

  @ApiPropertyOptional({ enum: ProductStatus, description: 'ACTIVE restores an archived product' })
  @IsOptionalNonNull()
  @IsIn(Object.values(ProductStatus))
  status?: ProductStatus;
}

export class UpdateVariantDto {
  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptionalNonNull()
  @Trim()
  @IsString()
  @Length(1, 64)
  @Matches(SKU, { message: SKU_MESSAGE })
  sku?: string;

  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptionalNonNull()
  @Trim()
  @IsString()
  @Length(1, 120)
  name?: string;

  @ApiPropertyOptional({ example: { size: 'M' } })
  @IsOptionalNonNull()
  @IsVariantAttributes()
  attributes?: VariantAttributes;

  @ApiPropertyOptional({ description: 'New price in minor units; existing orders keep the price they were placed at' })
  @IsOptionalNonNull()
  @IsInt()
  @Min(0)
  @Max(INT32_MAX)
  priceMinor?: number;

  @ApiPropertyOptional({ example: 'INR' })
  @IsOptionalNonNull()
  @IsString()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  currency?: string;

  @ApiPropertyOptional()
  @IsOptionalNonNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_UNITS)
  lowStockThreshold?: number;

  @ApiPropertyOptional({ description: 'false hides the variant from the catalogue and refuses it in carts' })
  @IsOptionalNonNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Display order within the product (0 first)' })
  @IsOptionalNonNull()
  @IsInt()
  @Min(0)
  @Max(10_000)
  position?: number;
}

export class ListProductsQueryDto extends PageQuery({ defaultLimit: 20, maxLimit: 100, maxPage: 10_000 }) {
  @ApiPropertyOptional({ description: 'Case-insensitive search in the product name', maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional({ description: 'Exact category', example: 'apparel' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 64)
  category?: string;

  @ApiPropertyOptional({ description: 'Admins only: list archived products too', default: false })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  includeArchived?: boolean;
}

// ---------- responses ----------

export class ProductVariantResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: Object, example: { size: 'M' } }) attributes!: VariantAttributes;
  @ApiProperty({ example: 189900 }) priceMinor!: number;
  @ApiProperty({ example: 'INR' }) currency!: string;
  @ApiProperty({ description: 'Units that can be bought now: on hand − reserved' }) available!: number;
  @ApiProperty({ description: 'Always true in the public view; admins also see deactivated variants' }) active!: boolean;
}

export class ProductDropResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'When everyone may buy (the countdown target)' }) startsAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date, description: 'When the drop ends (not purchasable from then on)' })
  endsAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date, description: 'When listed customers and code holders may buy' })
  earlyAccessStartsAt!: Date | null;
}

export class ProductResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) description!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) category!: string | null;
  @ApiProperty({ type: [String] }) images!: string[];
  @ApiProperty({ enum: ProductStatus }) status!: ProductStatus;
  @ApiPropertyOptional({ nullable: true, type: Date, description: 'Scheduled drop time' }) availableFrom!: Date | null;
  @ApiProperty({ description: 'Active, past availableFrom and inside its drop window (if any): anyone can buy it now' })
  purchasable!: boolean;
  @ApiPropertyOptional({
    nullable: true,
    type: ProductDropResponse,
    description: 'The drop that governs its variants (of those listing them, the one that starts last), or null',
  })
  drop!: ProductDropResponse | null;
  @ApiProperty({ type: [ProductVariantResponse] }) variants!: ProductVariantResponse[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class ProductPageResponse {
  @ApiProperty({ type: [ProductResponse] }) items!: ProductResponse[];
  @ApiProperty() page!: number;
  @ApiProperty() limit!: number;
  @ApiProperty({ description: 'Products matching the filters' }) total!: number;
  @ApiProperty() totalPages!: number;
}

/** The admin view of one variant, with its stock. */
export class VariantResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: Object, example: { size: 'M' } }) attributes!: VariantAttributes;
  @ApiProperty() priceMinor!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ description: 'Display order within the product' }) position!: number;
  @ApiProperty() lowStockThreshold!: number;
  @ApiProperty() onHand!: number;
  @ApiProperty() reserved!: number;
  @ApiProperty() available!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class IdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}
