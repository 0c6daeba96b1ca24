import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { trim } from '../../common/http/transforms.js';
import { ORDER_STATUSES } from '../../orders/order-state-machine.js';
import { PageQueryDto } from '../../orders/dto/order.dto.js';
import { PARCEL_STATUSES, type ParcelStatus } from '../carrier-provider.js';

export const MAX_BULK_BOOKING = 100;

export class PackageDto {
  @ApiProperty({ example: 500, description: 'Grams' }) @IsInt() @Min(1) @Max(100_000) weightGrams!: number;
  @ApiProperty({ example: 20 }) @IsInt() @Min(1) @Max(300) lengthCm!: number;
  @ApiProperty({ example: 15 }) @IsInt() @Min(1) @Max(300) breadthCm!: number;
  @ApiProperty({ example: 10 }) @IsInt() @Min(1) @Max(300) heightCm!: number;
}

export class ManualBookingDto {
  @ApiProperty({ example: 'Delhivery' }) @Transform(trim) @IsString() @Length(1, 100) carrierName!: string;
  @ApiProperty({ example: 'DL123456789IN' }) @Transform(trim) @IsString() @Length(1, 100) trackingNumber!: string;
  @ApiPropertyOptional({ example: 'https://www.delhivery.com/track/package/DL123456789IN' })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  @Length(1, 500)
  trackingUrl?: string;
}

export class BookShipmentsDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: `Orders to book, at most ${MAX_BULK_BOOKING}; each one is booked on its own`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_BOOKING)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  orderIds!: string[];
  @ApiProperty({ example: 'shiprocket', description: 'A registered carrier (GET /shipping/carriers)' })
  @IsString()
  @Length(1, 32)
  carrier!: string;
  @ApiPropertyOptional({ type: PackageDto, description: 'The parcel of every order (default 500 g, 20 × 15 × 10 cm)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PackageDto)
  package?: PackageDto;
  @ApiPropertyOptional({ type: ManualBookingDto, description: 'The manual carrier only (one order): what staff booked' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ManualBookingDto)
  manual?: ManualBookingDto;
}

export class ShipmentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ example: 'shiprocket' }) carrier!: string;
  @ApiProperty({ enum: ['BOOKING', 'BOOKED', 'CLOSED', 'CANCELLED', 'FAILED'] }) state!: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The tracking number' }) awb!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Shiprocket (Delhivery Surface)' }) courierName!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) labelUrl!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) trackingUrl!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) carrierStatus!: string | null;
  @ApiProperty({ description: 'What the courier collects (cash on delivery); 0 for prepaid' }) codAmountMinor!: number;
  @ApiProperty({ example: 'INR' }) currency!: string;
  @ApiProperty() weightGrams!: number;
  @ApiProperty({ description: 'Failed delivery attempts (NDR) reported' }) ndrAttempts!: number;
  @ApiPropertyOptional({ type: String, nullable: true }) ndrReason!: string | null;
  @ApiPropertyOptional({ type: Date, nullable: true, description: 'When the carrier brought the parcel back (RTO delivered)' })
  rtoArrivedAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, description: 'What staff found damaged on receiving the RTO parcel' }) rtoDamaged!: unknown;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Why booking failed' }) error!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class ShipmentListItemResponse extends ShipmentResponse {
  @ApiProperty({ example: 'OL-000042' }) orderNumber!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) orderStatus!: string;
  @ApiProperty() customerName!: string;
  @ApiProperty() phone!: string;
  @ApiProperty({ description: "Parcels returned to origin for this customer's phone" }) customerRtoCount!: number;
}

export class ShipmentPageResponse {
  @ApiProperty({ type: [ShipmentListItemResponse] }) items!: ShipmentListItemResponse[];
  @ApiProperty() page!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() total!: number;
}

export const SHIPMENT_VIEWS = ['all', 'ndr', 'rto'] as const;

export class ShipmentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: SHIPMENT_VIEWS,
    description: 'ndr: delivery failed (to act on); rto: returning to origin or back; all (default): every shipment',
  })
  @IsOptional()
  @IsIn(SHIPMENT_VIEWS)
  view?: (typeof SHIPMENT_VIEWS)[number];
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') orderId?: string;
}

export class ShipmentEventResponse {
  @ApiProperty() carrierEventId!: string;
  @ApiPropertyOptional({ enum: PARCEL_STATUSES, nullable: true }) parcelStatus!: string | null;
  @ApiProperty() carrierStatus!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ enum: ['webhook', 'poll', 'staff'] }) source!: string;
  @ApiProperty({ enum: ['APPLIED', 'STALE', 'IGNORED'] }) outcome!: string;
  @ApiProperty() occurredAt!: Date;
  @ApiProperty() receivedAt!: Date;
}

export class ShipmentDetailResponse extends ShipmentListItemResponse {
  @ApiProperty({ type: [ShipmentEventResponse], description: 'Oldest first' }) events!: ShipmentEventResponse[];
}

export class BookingResultResponse {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty() ok!: boolean;
  @ApiPropertyOptional({ type: ShipmentResponse }) shipment?: ShipmentResponse;
  @ApiPropertyOptional({ description: 'Why this order was not booked: { statusCode, message }' })
  error?: { statusCode: number; message: string };
}

export class BookingResultsResponse {
  @ApiProperty({ type: [BookingResultResponse], description: 'One per order, in the order asked' }) results!: BookingResultResponse[];
  @ApiProperty() booked!: number;
  @ApiProperty() failed!: number;
}

export class LabelResponse {
  @ApiProperty({ description: "The carrier's label (PDF)" }) labelUrl!: string;
}

export class ReportParcelEventDto {
  @ApiProperty({ enum: PARCEL_STATUSES }) @IsIn(PARCEL_STATUSES) status!: ParcelStatus;
  @ApiPropertyOptional({ example: 'Customer not available', maxLength: 500 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  reason?: string;
  @ApiPropertyOptional({ description: 'When it happened (default: now)' }) @IsOptional() @IsDateString() occurredAt?: string;
}

export class ParcelEventResultResponse {
  @ApiProperty({ enum: ['APPLIED', 'STALE', 'IGNORED', 'DUPLICATE', 'UNKNOWN_PARCEL'] }) outcome!: string;
  @ApiProperty({ type: ShipmentResponse }) shipment!: ShipmentResponse;
}

export class DamagedLineDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all') orderItemId!: string;
  @ApiProperty({ minimum: 1 }) @IsInt() @Min(1) @Max(1000) quantity!: number;
  @ApiProperty({ example: 'Box crushed, bottle broken' }) @Transform(trim) @IsString() @Length(1, 500) reason!: string;
}

export class ReceiveRtoDto {
  @ApiPropertyOptional({ type: [DamagedLineDto], description: 'Items not fit to sell again (not restocked); everything else is restocked' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => DamagedLineDto)
  damaged?: DamagedLineDto[];
}

export class RemittanceLineDto {
  @ApiProperty({ example: 'SR123456789' }) @Transform(trim) @IsString() @Length(1, 100) awb!: string;
  @ApiProperty({ example: 99800, description: 'What the carrier remitted for this parcel, minor units' })
  @IsInt()
  @Min(0)
  amountMinor!: number;
}

export class RecordRemittanceDto {
  @ApiProperty({ example: 'shiprocket' }) @IsString() @Length(1, 32) carrier!: string;
  @ApiProperty({ example: 'UTR2026120300123', description: "The carrier's remittance reference (UTR, CRF id)" })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  reference!: string;
  @ApiPropertyOptional({ description: 'When the money arrived (default: now)' }) @IsOptional() @IsDateString() remittedAt?: string;
  @ApiProperty({ type: [RemittanceLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => RemittanceLineDto)
  lines!: RemittanceLineDto[];
}

export class RemittanceLineResultResponse {
  @ApiProperty() awb!: string;
  @ApiProperty({ enum: ['recorded', 'already_recorded', 'not_collected', 'unknown_awb'] }) outcome!: string;
}

export class RemittanceResultResponse {
  @ApiProperty({ type: [RemittanceLineResultResponse] }) lines!: RemittanceLineResultResponse[];
}

export class CarrierResponse {
  @ApiProperty({ example: 'shiprocket' }) name!: string;
  @ApiProperty({ example: 'Shiprocket' }) label!: string;
  @ApiProperty({ description: 'Its credentials are set: it can book' }) enabled!: boolean;
  @ApiProperty({ description: 'Booked with what staff type (no carrier API)' }) manual!: boolean;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '/shipping/webhooks/parcel-updates',
    description: 'Its tracking webhook URL path',
  })
  webhookPath!: string | null;
}

export class CustomerRtoResponse {
  @ApiProperty({ example: '9800000000', description: 'The last 10 digits of the phone' }) phone!: string;
  @ApiProperty() rtoCount!: number;
}
