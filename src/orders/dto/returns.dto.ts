import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { trim } from '../../common/http/transforms.js';
import type { ReturnWithItems } from '../returns.service.js';

export class ReturnLineDto {
  @ApiProperty({ format: 'uuid', description: 'An item of the order' }) @IsUUID('all') orderItemId!: string;
  @ApiProperty({ minimum: 1, example: 1 }) @IsInt() @Min(1) @Max(1000) quantity!: number;
}

export class CreateReturnDto {
  @ApiProperty({ type: [ReturnLineDto], description: 'What goes back; at most the quantity ordered minus what earlier returns cover' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ReturnLineDto)
  items!: ReturnLineDto[];
  @ApiProperty({ example: 'Wrong size', maxLength: 500 }) @Transform(trim) @IsString() @Length(1, 500) reason!: string;
}

export class ReceiveReturnDto {
  @ApiPropertyOptional({
    type: [ReturnLineDto],
    description: 'What actually arrived (default: everything requested); unlisted items did not arrive',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ReturnLineDto)
  items?: ReturnLineDto[];
}

export class RejectReturnDto {
  @ApiProperty({ example: 'Item shows wear', maxLength: 500 }) @Transform(trim) @IsString() @Length(1, 500) reason!: string;
}

export class ReturnItemResponse {
  @ApiProperty({ format: 'uuid' }) orderItemId!: string;
  @ApiProperty() quantity!: number;
}

export class ReturnResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ enum: ['REQUESTED', 'ACCEPTED', 'RECEIVED', 'REJECTED'] }) status!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: [ReturnItemResponse], description: 'Requested quantities; after receipt, the received ones' })
  items!: ReturnItemResponse[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export function toReturnResponse(r: ReturnWithItems): ReturnResponse {
  return {
    id: r.id,
    orderId: r.orderId,
    status: r.status,
    reason: r.reason,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    items: r.items.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
  };
}
