import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { REQUEST_SORTS, type RequestSort } from '../../../requests/request-filter';
import { RequestFilterDto } from './request-filter.dto';

/** Largest page; bigger exports page through with the cursor. */
export const MAX_PAGE_SIZE = 500;

export class ListRequestsQueryDto extends RequestFilterDto {
  @ApiPropertyOptional({
    enum: REQUEST_SORTS,
    default: '-createdAt',
    description: 'Field to sort by; a leading "-" sorts newest first.',
  })
  @IsOptional()
  @IsIn(REQUEST_SORTS)
  sort?: RequestSort;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({
    description: 'The nextCursor of the previous page (with the same filters and sort).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cursor?: string;

  @ApiPropertyOptional({
    default: true,
    description: 'Include counts by state under the same filters (ignoring the state filter).',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  counts?: boolean;
}
