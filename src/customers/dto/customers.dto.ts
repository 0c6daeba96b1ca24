import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { blankToUndefined } from '../../common/http/transforms.js';
import { MoneyAmount } from '../../common/http/money-amount.dto.js';
import { PageQuery } from '../../common/http/page-query.dto.js';

export class CustomerSummaryResponse {
  @ApiProperty({ example: '+919812345678', description: 'The phone given at checkout: what identifies a customer' }) phone!: string;
  @ApiProperty({ example: 'Asha Rao', description: 'The name on their latest order' }) name!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The latest email they gave' }) email!: string | null;
  @ApiProperty({ example: 3 }) orders!: number;
  @ApiProperty({
    type: [MoneyAmount],
    description: 'Paid for their orders (applied captures, cash collected) less confirmed refunds, per currency',
  })
  lifetimeValue!: MoneyAmount[];
  @ApiProperty() firstOrderAt!: Date;
  @ApiProperty() lastOrderAt!: Date;
  @ApiProperty({ type: [String], example: ['vip'] }) tags!: string[];
}

export class CustomerResponse extends CustomerSummaryResponse {
  @ApiPropertyOptional({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ example: 0, description: 'Cash-on-delivery parcels of this phone returned to origin (refused or undeliverable)' })
  rtoCount!: number;
}

export class CustomerPageResponse {
  @ApiProperty({ type: [CustomerSummaryResponse] }) items!: CustomerSummaryResponse[];
  @ApiProperty() page!: number;
  @ApiProperty() limit!: number;
}

export class ListCustomersQueryDto extends PageQuery({ defaultLimit: 50, maxLimit: 100, maxPage: 10_000 }) {
  @ApiPropertyOptional({ description: 'Name, email or phone (or its last digits)', maxLength: 100 })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  @MaxLength(100)
  q?: string;
  @ApiPropertyOptional({ description: 'Only customers with this tag', maxLength: 40 })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  @MaxLength(40)
  tag?: string;
}

export class UpdateCustomerDto {
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: 20, example: ['vip', 'wholesale'], description: 'Replaces the tags' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(/^[\p{L}\p{N}][\p{L}\p{N} _-]{0,39}$/u, { each: true, message: 'each tag must be 1 to 40 letters, digits, spaces, "_" or "-"' })
  tags?: string[];
}
