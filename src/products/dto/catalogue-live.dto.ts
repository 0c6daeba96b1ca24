import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsUUID } from 'class-validator';

export const MAX_WATCHED_PRODUCTS = 100;

export class CatalogueStreamQueryDto {
  @ApiPropertyOptional({
    type: String,
    example: '6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c,0d1c2f3a-4b5c-4b8e-9a53-6f1c2a8e2b7e',
    description:
      `Comma-separated product ids (at most ${MAX_WATCHED_PRODUCTS}): only their changes, plus a snapshot of their ` +
      `state. Without it, changes of every product and no snapshot.`,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? [
          ...new Set(
            value
              .split(',')
              .map((id) => id.trim().toLowerCase())
              .filter(Boolean),
          ),
        ]
      : value,
  )
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_WATCHED_PRODUCTS)
  @IsUUID('all', { each: true })
  products?: string[];
}
