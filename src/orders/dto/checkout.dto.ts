import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDefined, IsEmail, IsISO31661Alpha2, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { CartItems, CartLineDto } from '../../cart/dto/cart.dto.js';
import { OrderResponse } from './order.dto.js';
import { ApiPaymentMethodName } from './payment-method.dto.js';
import { blankToUndefined, lower, lowerOrAbsent, normalizePhone, PHONE_FORMAT, PHONE_MESSAGE, trim, upper } from './normalize.js';

export class ContactDto {
  @ApiProperty({ example: 'Asha Rao' }) @Transform(trim) @IsString() @Length(1, 120) name!: string;
  @ApiPropertyOptional({ example: 'asha@example.com', description: 'Optional (blank counts as absent); stored lower-cased' })
  @IsOptional()
  @Transform(lowerOrAbsent)
  @IsEmail()
  @MaxLength(254)
  email?: string;
  @ApiProperty({ example: '+919812345678', description: 'Spaces, dashes, dots and brackets are removed' })
  @Transform(normalizePhone)
  @IsString()
  @Matches(PHONE_FORMAT, { message: PHONE_MESSAGE })
  phone!: string;
}

export class ShippingAddressDto {
  @ApiProperty({ example: '12 MG Road' }) @Transform(trim) @IsString() @Length(1, 200) line1!: string;
  @ApiPropertyOptional({ example: 'Flat 4B' }) @IsOptional() @Transform(blankToUndefined) @IsString() @MaxLength(200) line2?: string;
  @ApiProperty({ example: 'Bengaluru' }) @Transform(trim) @IsString() @Length(1, 100) city!: string;
  @ApiPropertyOptional({ example: 'Karnataka' }) @IsOptional() @Transform(blankToUndefined) @IsString() @MaxLength(100) state?: string;
  @ApiProperty({ example: '560001' })
  @Transform(upper)
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9 -]{1,11}$/, { message: 'postalCode must be 2 to 12 letters, digits, spaces or dashes' })
  postalCode!: string;
  @ApiProperty({ example: 'IN', description: 'ISO 3166-1 alpha-2' }) @Transform(upper) @IsISO31661Alpha2() country!: string;
}

export class CheckoutDto {
  @CartItems() items!: CartLineDto[];

  @ApiProperty({ type: ContactDto }) @IsDefined() @ValidateNested() @Type(() => ContactDto) contact!: ContactDto;

  @ApiProperty({ type: ShippingAddressDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  shippingAddress!: ShippingAddressDto;

  @ApiPaymentMethodName({ description: 'A name GET /payments/methods lists (any case)' })
  @Transform(lower)
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,31}$/, { message: 'paymentMethod must be a payment method name (see GET /payments/methods)' })
  paymentMethod!: string;

  @ApiPropertyOptional({
    description: 'A drop’s early-access code: lets this checkout in before the drop opens to everyone',
    maxLength: 64,
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(64)
  accessCode?: string;
}

export class PaymentErrorResponse {
  @ApiProperty({ example: 503 }) statusCode!: number;
  @ApiProperty({ example: 'Payment provider STRIPE is not configured' }) message!: string;
}

export class CheckoutResponse {
  @ApiProperty({ type: OrderResponse }) order!: OrderResponse;

  @ApiPropertyOptional({
    type: Object,
    nullable: true,
    description:
      'What the client needs to pay (provider-specific: Stripe client secret, Razorpay order id, or COD amount). ' +
      'null when the provider could not be reached: the order stays PAYMENT_PENDING and payment can be retried.',
  })
  payment!: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: PaymentErrorResponse, description: 'Why `payment` is null' }) paymentError?: PaymentErrorResponse;

  @ApiPropertyOptional({
    description:
      'Guests only, returned once: send it as X-Order-Token to read or cancel the order. Only its hash is stored, ' +
      'so an idempotent replay of this response omits it (use POST /orders/lookup instead).',
  })
  guestToken?: string;
}
