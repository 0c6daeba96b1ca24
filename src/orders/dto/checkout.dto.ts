import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsISO31661Alpha2,
  isEmail,
  isInt,
  isISO31661Alpha2,
  IsOptional,
  IsString,
  isUUID,
  Length,
  length,
  Matches,
  matches,
  max,
  MaxLength,
  maxLength,
  min,
  ValidateNested,
} from 'class-validator';
import { CartItems, CartLineDto } from '../../cart/dto/cart.dto.js';
import { CART_LIMITS } from '../../cart/cart-pricing.js';
import { readFastWhenValid } from '../../common/http/validation.js';
import { OrderResponse } from './order.dto.js';
import { ApiPaymentMethodName } from './payment-method.dto.js';
import { blankToUndefined, lower, lowerOrAbsent, normalizePhone, PHONE_FORMAT, PHONE_MESSAGE, trim, upper } from './normalize.js';

/** The decorators' patterns, shared with readValidCheckout below. */
const POSTAL_CODE = /^[A-Z0-9][A-Z0-9 -]{1,11}$/;
const PAYMENT_METHOD_NAME = /^[a-z][a-z0-9_]{0,31}$/;

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
  @Matches(POSTAL_CODE, { message: 'postalCode must be 2 to 12 letters, digits, spaces or dashes' })
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
  @Matches(PAYMENT_METHOD_NAME, { message: 'paymentMethod must be a payment method name (see GET /payments/methods)' })
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

/** An object of a parsed JSON body (class-transformer would take an array for one as well: left to the pipe). */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const hasOnly = (value: Record<string, unknown>, allowed: ReadonlySet<string>) => Object.keys(value).every((key) => allowed.has(key));
/** `type`'s instance with `value`'s properties in their order, as class-transformer builds it. */
const build = <T extends object>(type: new () => T, value: Record<string, unknown>): T => Object.assign(new type(), value);

const CHECKOUT_KEYS = new Set(['items', 'contact', 'shippingAddress', 'paymentMethod', 'accessCode']);
const LINE_KEYS = new Set(['variantId', 'quantity']);
const CONTACT_KEYS = new Set(['name', 'email', 'phone']);
const ADDRESS_KEYS = new Set(['line1', 'line2', 'city', 'state', 'postalCode', 'country']);

/** Required text: transformed, then a string of `min` to `max` characters; undefined when not. */
function text(value: unknown, transform: (input: { value: unknown }) => unknown, min: number, max: number): string | undefined {
  const out = transform({ value });
  return typeof out === 'string' && length(out, min, max) ? out : undefined;
}

/**
 * Optional text (@IsOptional): absent stays absent; a string is transformed, and when that leaves something it must be
 * at most `max` characters. Returns false when the value is not acceptable here (then the pipe judges it).
 */
function optionalText(
  from: Record<string, unknown>,
  key: string,
  transform: (input: { value: unknown }) => unknown,
  max: number,
  into: Record<string, unknown>,
): boolean {
  if (!(key in from)) return true;
  const value = from[key];
  if (typeof value !== 'string') return false;
  const out = transform({ value });
  if (out !== undefined && !(typeof out === 'string' && maxLength(out, max))) return false;
  into[key] = out;
  return true;
}

function readLine(value: unknown): CartLineDto | undefined {
  if (!isPlainObject(value) || !hasOnly(value, LINE_KEYS)) return undefined;
  const variantId = lower({ value: value.variantId });
  const { quantity } = value;
  if (typeof variantId !== 'string' || !isUUID(variantId, 'all')) return undefined;
  if (!isInt(quantity) || !min(quantity, 1) || !max(quantity, CART_LIMITS.quantity)) return undefined;
  return build(CartLineDto, { variantId, quantity });
}

function readContact(value: unknown): ContactDto | undefined {
  if (!isPlainObject(value) || !hasOnly(value, CONTACT_KEYS)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === 'name') out.name = text(value.name, trim, 1, 120);
    else if (key === 'phone') out.phone = text(value.phone, normalizePhone, 0, Infinity);
    else if (!optionalText(value, key, lowerOrAbsent, 254, out)) return undefined;
  }
  if (out.name === undefined || typeof out.phone !== 'string' || !matches(out.phone, PHONE_FORMAT)) return undefined;
  if (out.email !== undefined && !isEmail(out.email)) return undefined;
  return build(ContactDto, out);
}

function readAddress(value: unknown): ShippingAddressDto | undefined {
  if (!isPlainObject(value) || !hasOnly(value, ADDRESS_KEYS)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === 'line1') out.line1 = text(value.line1, trim, 1, 200);
    else if (key === 'city') out.city = text(value.city, trim, 1, 100);
    else if (key === 'postalCode') out.postalCode = text(value.postalCode, upper, 0, Infinity);
    else if (key === 'country') out.country = text(value.country, upper, 0, Infinity);
    else if (!optionalText(value, key, blankToUndefined, key === 'line2' ? 200 : 100, out)) return undefined;
  }
  if (out.line1 === undefined || out.city === undefined) return undefined;
  if (typeof out.postalCode !== 'string' || !matches(out.postalCode, POSTAL_CODE)) return undefined;
  if (typeof out.country !== 'string' || !isISO31661Alpha2(out.country)) return undefined;
  return build(ShippingAddressDto, out);
}

/**
 * The checkout body, read without class-transformer and class-validator when it is plainly valid (readFastWhenValid):
 * the same transforms and checks as the decorators above, which still judge every body this does not accept.
 */
export function readValidCheckout(body: unknown): CheckoutDto | undefined {
  if (!isPlainObject(body) || !hasOnly(body, CHECKOUT_KEYS)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (key === 'items') {
      if (!Array.isArray(value) || value.length < 1 || value.length > CART_LIMITS.lines) return undefined;
      const lines = value.map(readLine);
      if (!lines.every(Boolean)) return undefined;
      out.items = lines;
    } else if (key === 'contact') out.contact = readContact(value);
    else if (key === 'shippingAddress') out.shippingAddress = readAddress(value);
    else if (key === 'paymentMethod') out.paymentMethod = text(value, lower, 0, Infinity);
    else if (!optionalText(body, key, trim, 64, out)) return undefined;
  }
  if (!out.items || !out.contact || !out.shippingAddress) return undefined;
  if (typeof out.paymentMethod !== 'string' || !matches(out.paymentMethod, PAYMENT_METHOD_NAME)) return undefined;
  return build(CheckoutDto, out);
}
readFastWhenValid(CheckoutDto, readValidCheckout);
