import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNonNull } from '../../common/http/validation.js';
import {
  CredentialProviderInfo,
  credentialsInputClass,
  credentialsStatusClass,
  type CredentialsInput,
  type CredentialsStatus,
} from './credentials.dto.js';
import { IsBrandColor, IsLogoUrl, normalizeBrandColor } from './brand-validators.js';

const CURRENCIES = Intl.supportedValuesOf('currency');

// ---------- requests ----------

export class UpdateSettingsDto {
  @ApiPropertyOptional({ example: 'Indigo & Co.', maxLength: 100 })
  @IsOptionalNonNull()
  @IsString()
  @Length(1, 100)
  brandName?: string;

  @ApiPropertyOptional({ example: 'indigo-co', maxLength: 64, description: 'Sent to payment providers in metadata next to the order id' })
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'slug must be lowercase letters and digits separated by single hyphens' })
  slug?: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'help@indigo.example', description: 'null clears it' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  supportEmail?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: '+91 98000 00000', description: 'null clears it' })
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9][0-9 ()-]{5,24}$/, {
    message: 'supportPhone must be a phone number (digits, spaces, "-", "(", ")", optional leading +)',
  })
  supportPhone?: string | null;

  @ApiPropertyOptional({ example: 'INR', description: 'ISO 4217 code' })
  @IsOptionalNonNull()
  @IsString()
  @IsIn(CURRENCIES, { message: 'defaultCurrency must be an ISO 4217 currency code in capitals (e.g. INR)' })
  defaultCurrency?: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'https://cdn.indigo.example/logo.svg',
    description: 'Storefront logo: an https:// URL or a path on this site (/...); null clears it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsLogoUrl()
  logoUrl?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '#1f6f5c',
    description: 'Storefront colour, #rrggbb (or #rgb; stored as lower-case #rrggbb); null restores the default',
  })
  @IsOptional()
  @Transform(normalizeBrandColor)
  @IsString()
  @IsBrandColor()
  brandColor?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 60,
    maximum: 86400,
    description: 'How long checkout holds stock for unpaid orders; null falls back to RESERVATION_TTL_SECONDS',
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(86_400)
  reservationTtlSeconds?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 0,
    description: 'Low-stock threshold given to new variants that do not set their own; null means 5',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  lowStockThreshold?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    description: 'Refuse cash on delivery for a phone with at least this many parcels returned to origin (null: never)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  codRtoBlockThreshold?: number | null;

  @ApiPropertyOptional({
    type: () => credentialsInputClass(),
    description:
      'Credentials of payment providers, carriers and notification channels. Write-only: responses show only whether each is set and its last 4 characters',
  })
  @IsOptionalNonNull()
  @IsObject()
  @ValidateNested()
  @Type(credentialsInputClass)
  credentials?: CredentialsInput;
}

// ---------- responses ----------

export class SettingsResponse {
  @ApiProperty({ example: 'Indigo & Co.' }) brandName!: string;
  @ApiProperty({ example: 'indigo-co' }) slug!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) supportEmail!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) supportPhone!: string | null;
  @ApiProperty({ example: 'INR' }) defaultCurrency!: string;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'null: RESERVATION_TTL_SECONDS applies' }) reservationTtlSeconds!:
    number | null;
  @ApiProperty({ example: 900, description: 'The reservation TTL checkout uses now' }) effectiveReservationTtlSeconds!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Default low-stock threshold for new variants (null: 5)' })
  lowStockThreshold!: number | null;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Cash on delivery is refused for phones with this many RTOs (null: never)',
  })
  codRtoBlockThreshold!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) logoUrl!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '#1f6f5c' }) brandColor!: string | null;
  @ApiProperty({ type: () => credentialsStatusClass() }) credentials!: CredentialsStatus;
  @ApiProperty({ type: [CredentialProviderInfo], description: 'The providers in `credentials`: their names in words and what each is for' })
  credentialProviders!: CredentialProviderInfo[];
  @ApiProperty() updatedAt!: Date;
}

/** What anyone may know about the brand: the storefront's header and colours, and how to reach support. */
export class BrandResponse {
  @ApiProperty({ example: 'Indigo & Co.' }) name!: string;
  @ApiProperty({ example: 'indigo-co' }) slug!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) logoUrl!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '#1f6f5c' }) brandColor!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) supportEmail!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) supportPhone!: string | null;
  @ApiProperty({ example: 'INR' }) defaultCurrency!: string;
}
