import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { BRAND_SLUG } from '../../brands/brands.service.js';

export class RegisterDto {
  @ApiProperty({ example: 'asha@example.com' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ minLength: 8, example: 'correct horse battery' }) @IsString() @MinLength(8) @MaxLength(72) password!: string;
  @ApiProperty({ example: 'Asha Rao' }) @IsString() @Length(1, 120) name!: string;
  @ApiPropertyOptional({ example: '+919812345678' })
  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{7,20}$/, { message: 'phone must be a phone number' })
  phone?: string;
  @ApiPropertyOptional({
    example: 'Chai Point',
    description:
      'Platform mode only: sign up a brand. Creates the brand and this account as its owner (an admin), instead of a customer account',
  })
  @IsOptional()
  @IsString()
  @Length(1, 80)
  brandName?: string;
  @ApiPropertyOptional({
    example: 'chai-point',
    description:
      "With brandName: the brand's slug (its /b/<slug> path prefix and provider webhook path); derived from brandName when left out",
  })
  @IsOptional()
  @Matches(BRAND_SLUG, { message: 'brandSlug must be 1 to 48 lower-case letters, digits and inner hyphens' })
  brandSlug?: string;
}

export class LoginDto {
  @ApiProperty({ example: 'asha@example.com' }) @IsEmail() email!: string;
  @ApiProperty() @IsString() @MaxLength(72) password!: string;
  @ApiPropertyOptional({
    description: 'Browsers: also start a session, an httpOnly refresh cookie that POST /auth/refresh exchanges for a new access token',
  })
  @IsOptional()
  @IsBoolean()
  refreshCookie?: boolean;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @MaxLength(72) currentPassword!: string;
  @ApiProperty({ minLength: 8, maxLength: 72 }) @IsString() @MinLength(8) @MaxLength(72) newPassword!: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) phone!: string | null;
  @ApiProperty({ enum: ['ADMIN', 'CUSTOMER', 'PLATFORM_ADMIN'] }) role!: string;
  @ApiProperty({ description: 'Owns the brand (admins only): manages the staff accounts' }) owner!: boolean;
  @ApiProperty() createdAt!: Date;
}

export class TokenResponse {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: string;
  @ApiProperty({ description: 'Lifetime in seconds' }) expiresIn!: number;
  @ApiProperty({ type: UserResponse }) user!: UserResponse;
}
