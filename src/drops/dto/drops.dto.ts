import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { lower, trim } from '../../common/http/transforms.js';

const Limit = (description: string) => (target: object, key: string) => {
  ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, nullable: true, description })(target, key);
  ValidateIf((_o, v) => v !== null)(target, key);
  IsOptional()(target, key);
  IsInt()(target, key);
  Min(1)(target, key);
  Max(1000)(target, key);
};

const OptionalTime = (description: string) => (target: object, key: string) => {
  ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description })(target, key);
  ValidateIf((_o, v) => v !== null)(target, key);
  IsOptional()(target, key);
  Type(() => Date)(target, key);
  IsDate()(target, key);
};

class DropFields {
  @Limit('Units one customer (phone, email and account each) may buy across the drop') perCustomerLimit?: number | null;
  @Limit('Units one customer may buy of each variant of the drop') perVariantLimit?: number | null;
  @Limit('Units of the drop one order may hold') perOrderLimit?: number | null;
  @OptionalTime('No sales from then on (end early: POST /admin/drops/{id}/end)') endsAt?: Date | null;
  @OptionalTime('Listed customers (access list or access code) may buy from then until startsAt') earlyAccessStartsAt?: Date | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    minLength: 4,
    maxLength: 64,
    description: 'Lets anyone who has it in during early access; stored hashed',
  })
  @ValidateIf((_o, v) => v !== null)
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(4, 64)
  accessCode?: string | null;
}

export class CreateDropDto extends DropFields {
  @ApiProperty({ example: 'Friday 8 pm: the linen edit' }) @Transform(trim) @IsString() @Length(1, 120) name!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When everyone may buy' }) @Type(() => Date) @IsDate() startsAt!: Date;

  @ApiPropertyOptional({ type: [String], description: 'Every variant of these products joins the drop' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  productIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'These variants join the drop' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  variantIds?: string[];
}

export class UpdateDropDto extends DropFields {
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 120) name?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate() startsAt?: Date;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the drop’s variants with every variant of these products and variantIds' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  productIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Replaces the drop’s variants (with those of productIds)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  variantIds?: string[];
}

export class AccessListUploadDto {
  @ApiProperty({
    description: 'CSV text: every cell that is a phone (6–15 digits) or an email is listed; a header row and other columns are ignored',
    example: 'name,phone,email\nAsha,+919812345678,asha@example.com',
    maxLength: 90_000,
  })
  @IsString()
  @MaxLength(90_000)
  csv!: string;

  @ApiPropertyOptional({ description: 'Replace the list instead of adding to it', default: false })
  @IsOptional()
  @IsBoolean()
  replace?: boolean;
}

export class AccessListUploadResponse {
  @ApiProperty({ description: 'Contacts newly listed' }) added!: number;
  @ApiProperty({ description: 'Contacts on the list now' }) total!: number;
  @ApiProperty({ type: [Number], description: 'Lines (from 1) with no phone or email, header excluded; the first 50' })
  skippedLines!: number[];
}

export class DropVariantResponse {
  @ApiProperty() variantId!: string;
  @ApiProperty() productId!: string;
  @ApiProperty() sku!: string;
  @ApiProperty() productName!: string;
  @ApiProperty() variantName!: string;
  @ApiProperty({ description: 'Units ordered in the drop’s window (cancelled and expired orders excluded)' }) sold!: number;
  @ApiProperty({ description: 'Held for unpaid orders' }) reserved!: number;
  @ApiProperty({ description: 'Still to sell: on hand − reserved' }) remaining!: number;
  @ApiProperty({ description: 'People waiting to hear it is back' }) waitlist!: number;
}

export class DropResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['scheduled', 'early_access', 'open', 'ended'] }) phase!: string;
  @ApiProperty() startsAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) endsAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) earlyAccessStartsAt!: Date | null;
  @ApiProperty({ description: 'Whether an access code is set (the code itself is never shown)' }) hasAccessCode!: boolean;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) perCustomerLimit!: number | null;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) perVariantLimit!: number | null;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) perOrderLimit!: number | null;
  @ApiProperty({ description: 'Contacts on the early-access list' }) accessListSize!: number;
  @ApiProperty() sold!: number;
  @ApiProperty() remaining!: number;
  @ApiProperty({ description: 'People waiting for the drop or one of its variants' }) waitlist!: number;
  @ApiProperty({ description: 'The server’s clock when this was read (countdowns correct for the device’s clock with it)' })
  serverTime!: Date;
  @ApiProperty({ type: [DropVariantResponse] }) variants!: DropVariantResponse[];
}

export class WaitlistSignUpDto {
  @ApiPropertyOptional({ description: 'A variant that is sold out (or not yet on sale)' }) @IsOptional() @IsUUID() variantId?: string;
  @ApiPropertyOptional({ description: 'An upcoming drop' }) @IsOptional() @IsUUID() dropId?: string;
  @ApiPropertyOptional({ example: '+919812345678' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/[\s().-]/g, '') : value))
  @Matches(/^\+?[0-9]{6,15}$/, { message: 'phone must be a phone number (6 to 15 digits, optional leading +)' })
  phone?: string;
  @ApiPropertyOptional({ example: 'asha@example.com' }) @IsOptional() @Transform(lower) @IsEmail() @MaxLength(254) email?: string;
}

export class WaitlistSignUpResponse {
  @ApiProperty({ description: 'Place in the line (1 = first to be told)' }) position!: number;
  @ApiProperty({ description: 'False when this contact was already waiting (it keeps its first place)' }) created!: boolean;
}
