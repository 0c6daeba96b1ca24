import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { lower, trim } from '../../common/http/transforms.js';

export class StaffMemberResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'priya@brand.example' }) email!: string;
  @ApiProperty({ example: 'Priya' }) name!: string;
  @ApiProperty({ description: 'Owners manage the staff accounts' }) owner!: boolean;
  @ApiPropertyOptional({ nullable: true, type: Date, description: 'When an owner disabled the account; null while it is active' })
  disabledAt!: Date | null;
  @ApiProperty() createdAt!: Date;
}

export class AddStaffDto {
  @ApiProperty({ example: 'priya@brand.example' }) @Transform(lower) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: 'Priya' }) @Transform(trim) @IsString() @Length(1, 120) name!: string;
  @ApiProperty({ minLength: 8, maxLength: 72, description: 'Their first password: give it to them privately' })
  @IsString()
  @MinLength(8)
  @MaxLength(72)
  password!: string;
}

export class ResetStaffPasswordDto {
  @ApiProperty({ minLength: 8, maxLength: 72 }) @IsString() @MinLength(8) @MaxLength(72) password!: string;
}
