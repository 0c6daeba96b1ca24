import { applyDecorators, type Type as Class } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** How big a list's pages may be: the size when the client names none, and the most it may ask for. */
export interface PageSize {
  defaultLimit: number;
  maxLimit: number;
}

/** `limit`: how many items a page holds (a query parameter, so it arrives as text and is converted). */
const LimitParameter = ({ defaultLimit, maxLimit }: PageSize) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', default: defaultLimit, minimum: 1, maximum: maxLimit }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(maxLimit),
  );

/**
 * The base of a list's query that pages by number: `page` (from 1, at most `maxPage`) and `limit`. A module's query
 * extends it with its own filters: `class ListThingsQueryDto extends PageQuery({ defaultLimit: 50, maxLimit: 200,
 * maxPage: 10_000 }) { … }`.
 */
export function PageQuery(size: PageSize & { maxPage: number }): Class<{ page: number; limit: number }> {
  class PageQueryBase {
    @ApiPropertyOptional({ type: 'integer', default: 1, minimum: 1 })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(size.maxPage)
    page = 1;

    @LimitParameter(size)
    limit = size.defaultLimit;
  }
  return PageQueryBase;
}

/** The base of a list's query that pages by cursor: only `limit`; the module adds its own cursor (its format differs). */
export function LimitQuery(size: PageSize): Class<{ limit: number }> {
  class LimitQueryBase {
    @LimitParameter(size)
    limit = size.defaultLimit;
  }
  return LimitQueryBase;
}
