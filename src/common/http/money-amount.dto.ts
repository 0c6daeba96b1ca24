import { ApiProperty } from '@nestjs/swagger';

/** An amount of money in one currency: integer minor units plus the ISO 4217 code. */
export class MoneyAmount {
  @ApiProperty({ example: 'INR' }) currency!: string;
  @ApiProperty({ example: 259800, description: 'Minor units' }) amountMinor!: number;
}
