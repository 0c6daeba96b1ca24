import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { ORDER_EVENTS, ORDER_STATUSES, type OrderEvent } from '../order-state-machine.js';
import type { OrderStatus } from '../../generated/prisma/enums.js';
import { ApiPaymentMethod } from './payment-method.dto.js';
import { blankToUndefined, lower, normalizePhone, PHONE_FORMAT, PHONE_MESSAGE, upper } from './normalize.js';
import { PageQuery } from '../../common/http/page-query.dto.js';

export class OrderItemResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) variantId!: string;
  @ApiProperty({ example: 'TEE-BLK-M' }) sku!: string;
  @ApiProperty({ example: 'Classic Tee' }) productName!: string;
  @ApiProperty({ example: 'Black / M' }) variantName!: string;
  @ApiProperty({ description: 'Price at checkout, minor units', example: 49900 }) unitPriceMinor!: number;
  @ApiProperty({ example: 2 }) quantity!: number;
  @ApiProperty({ description: 'unitPriceMinor × quantity', example: 99800 }) lineTotalMinor!: number;
}

export class ShippingAddressResponse {
  @ApiProperty() line1!: string;
  @ApiPropertyOptional() line2?: string;
  @ApiProperty() city!: string;
  @ApiPropertyOptional() state?: string;
  @ApiProperty() postalCode!: string;
  @ApiProperty({ example: 'IN' }) country!: string;
}

export class OrderResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'OL-000042' }) number!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty({
    enum: ORDER_EVENTS,
    isArray: true,
    description:
      'The state-machine events the order accepts in its status now (what can happen next); each route still decides who may cause one',
  })
  nextEvents!: OrderEvent[];
  @ApiPaymentMethod() paymentMethod!: string;
  @ApiProperty({ example: 'INR' }) currency!: string;
  @ApiProperty({ example: 99800 }) subtotalMinor!: number;
  @ApiProperty({ example: 99800 }) totalMinor!: number;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'null for guest orders' }) userId!: string | null;
  @ApiProperty() customerName!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'null when the customer gave none at checkout' }) email!: string | null;
  @ApiProperty() phone!: string;
  @ApiProperty({ type: ShippingAddressResponse }) shippingAddress!: ShippingAddressResponse;
  @ApiPropertyOptional({ nullable: true, type: Date, description: 'Unpaid prepaid orders: when the stock hold lapses' })
  reservationExpiresAt!: Date | null;
  @ApiProperty({ description: 'Flagged by payment processing for staff review' }) needsReview!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) carrier!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) trackingNumber!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The carrier's tracking page, once a carrier booked the parcel" })
  trackingUrl!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The carrier's latest status words for the parcel" })
  carrierStatus!: string | null;
  @ApiProperty({ type: [OrderItemResponse] }) items!: OrderItemResponse[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class OrderPageResponse {
  @ApiProperty({ type: [OrderResponse] }) items!: OrderResponse[];
  @ApiProperty({ example: 1 }) page!: number;
  @ApiProperty({ example: 20 }) limit!: number;
  @ApiProperty({ description: 'Orders matching the filter (the staff list counts up to 10,000: see totalCapped)' }) total!: number;
  @ApiProperty({ description: 'More orders match than `total` says (the staff list stops counting at 10,000)' }) totalCapped!: boolean;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next (older) orders; null on the last page. Keyset paging: as fast on page 2,000 as on page 1',
  })
  nextCursor!: string | null;
}

export class OrderHistoryEntryResponse {
  @ApiPropertyOptional({ enum: ORDER_STATUSES, nullable: true }) fromStatus!: OrderStatus | null;
  @ApiProperty({ enum: ORDER_STATUSES }) toStatus!: OrderStatus;
  @ApiProperty({ example: 'AWAIT_PAYMENT', description: 'State-machine event (CHECKOUT for the order being created)' }) event!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ enum: ['USER', 'GUEST', 'SYSTEM', 'PROVIDER'] }) actorType!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Shown to admins only' }) actorId?: string | null;
  @ApiProperty() createdAt!: Date;
}

/** Pages of orders (a customer's own, the staff list by offset, shipments). */
export class PageQueryDto extends PageQuery({ defaultLimit: 20, maxLimit: 100, maxPage: 100_000 }) {}

/** The filters of the staff order list, shared by the list, the CSV export and the live merge. */
export class OrderFilterDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES }) @IsOptional() @IsIn(ORDER_STATUSES) status?: OrderStatus;
  @ApiPropertyOptional({ description: 'Payment method code (STRIPE, RAZORPAY, COD...; any case)', example: 'COD' })
  @IsOptional()
  @Transform(upper)
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{0,31}$/, { message: 'paymentMethod must be a payment method code such as COD or STRIPE' })
  paymentMethod?: string;
  @ApiPropertyOptional({ description: 'Created at or after (ISO 8601)', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional({ description: 'Created before (ISO 8601)', example: '2026-02-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Orders of this customer (user id)' })
  @IsOptional()
  @IsUUID('all')
  customerId?: string;
  @ApiPropertyOptional({ description: 'Order number (OL-000042 or 42), email, or phone (full, or its last digits)', example: '9812345678' })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  @MaxLength(254)
  q?: string;
}

export class AdminOrdersQueryDto extends IntersectionType(PageQueryDto, OrderFilterDto) {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (then `page` is ignored)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class BulkFulfillDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Up to 100 orders, each fulfilled in its own transaction', maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  orderIds!: string[];
  @ApiPropertyOptional({ example: 'Delhivery', description: 'The carrier of every order in this batch' })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  @MaxLength(100)
  carrier?: string;
}

export class BulkResultError {
  @ApiProperty({ example: 409 }) statusCode!: number;
  @ApiProperty({ example: 'Order is DELIVERED; FULFILL is not allowed' }) message!: string;
}

export class BulkFulfillResult {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ description: 'Whether this order was fulfilled' }) ok!: boolean;
  @ApiPropertyOptional({ type: OrderResponse, description: 'The order after fulfilment (ok only)' }) order?: OrderResponse;
  @ApiPropertyOptional({ type: BulkResultError, description: 'Why this order was not fulfilled (not ok only)' }) error?: BulkResultError;
}

export class BulkFulfillResponse {
  @ApiProperty({ type: [BulkFulfillResult], description: 'One result per requested order, in request order' })
  results!: BulkFulfillResult[];
  @ApiProperty({ example: 3 }) fulfilled!: number;
  @ApiProperty({ example: 0 }) failed!: number;
}

export class CancelOrderDto {
  @ApiPropertyOptional({ example: 'Ordered the wrong size', maxLength: 500 })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class FulfillOrderDto {
  @ApiPropertyOptional({ example: 'Delhivery' }) @IsOptional() @Transform(blankToUndefined) @IsString() @MaxLength(100) carrier?: string;
  @ApiPropertyOptional({ example: 'DL123456789IN' })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  @MaxLength(100)
  trackingNumber?: string;
}

export class LookupOrderDto {
  @ApiProperty({ example: 'OL-000042' }) @Transform(upper) @IsString() @Length(1, 32) orderNumber!: string;
  @ApiPropertyOptional({ description: 'The email given at checkout (email or phone is required)' })
  @ValidateIf((o: LookupOrderDto) => o.phone === undefined)
  @Transform(lower)
  @IsEmail()
  @MaxLength(254)
  email?: string;
  @ApiPropertyOptional({ description: 'The phone number given at checkout (email or phone is required)' })
  @ValidateIf((o: LookupOrderDto) => o.email === undefined)
  @Transform(normalizePhone)
  @Matches(PHONE_FORMAT, { message: PHONE_MESSAGE })
  phone?: string;
}

export class TrackOrderDto {
  @ApiProperty({ example: 'OL-000042', description: 'The order number (OL-000042, or just 42)' })
  @Transform(upper)
  @IsString()
  @Length(1, 32)
  orderNumber!: string;
  @ApiProperty({
    example: '+919812345678',
    description: 'The phone number given at checkout; the last 10 digits must match (with or without country code)',
  })
  @Transform(normalizePhone)
  @IsString()
  @Matches(PHONE_FORMAT, { message: PHONE_MESSAGE })
  phone!: string;
}

export class TrackedItemResponse {
  @ApiProperty({ example: 'Classic Tee' }) productName!: string;
  @ApiProperty({ example: 'Black / M' }) variantName!: string;
  @ApiProperty({ example: 2 }) quantity!: number;
}

export class TrackingEventResponse {
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty({
    example: 'FULFILL',
    description:
      'What happened: CHECKOUT, CONFIRM_COD, AWAIT_PAYMENT, PAYMENT_SUCCEEDED, PAYMENT_FAILED, FULFILL, DELIVER, CANCEL, EXPIRE, ...',
  })
  event!: string;
  @ApiProperty() at!: Date;
}

/** What tracking shows: the order's progress, without the customer's name, address or email. */
export class TrackingResponse {
  @ApiProperty({ example: 'OL-000042' }) number!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty({ enum: ['STRIPE', 'RAZORPAY', 'COD'] }) paymentMethod!: string;
  @ApiProperty({ example: 'INR' }) currency!: string;
  @ApiProperty({ example: 99800 }) totalMinor!: number;
  @ApiProperty({ type: [TrackedItemResponse] }) items!: TrackedItemResponse[];
  @ApiProperty({ type: [TrackingEventResponse], description: 'Oldest first' }) timeline!: TrackingEventResponse[];
  @ApiPropertyOptional({ nullable: true, type: String }) carrier!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) trackingNumber!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: "The carrier's tracking page (the booked shipment's, else TRACKING_URL_TEMPLATE), when known",
  })
  trackingUrl!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The carrier's latest status words for the parcel" })
  carrierStatus!: string | null;
  @ApiProperty() placedAt!: Date;
}
