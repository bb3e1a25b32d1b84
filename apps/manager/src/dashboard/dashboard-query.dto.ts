import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { RequestFilterDto } from '../api/requests/dto/request-filter.dto';
import { REQUEST_SORTS, type RequestSort } from '../requests/request-filter';

/** Most rows one export writes; narrow the filter for more. */
export const MAX_EXPORT_ROWS = 100_000;

/** `GET /dashboard/api/requests/export`: the list's filters and sort, and the file format. */
export class ExportQueryDto extends RequestFilterDto {
  /** @default 'csv' */
  @IsOptional()
  @IsIn(['csv', 'json'])
  format?: 'csv' | 'json';

  /** @default '-createdAt' */
  @IsOptional()
  @IsIn(REQUEST_SORTS)
  sort?: RequestSort;
}

/** `GET /dashboard/api/requests/newer`: the list's filters and the newest row shown. */
export class NewerQueryDto extends RequestFilterDto {
  @IsString()
  @MaxLength(64)
  since!: string;
}

/** `GET /dashboard/api/audit` and `GET /api/v1/audit`: a page of the audit log. */
export class AuditQueryDto {
  /** @default 50 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  /** The id of the last entry of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  before?: string;
}

/** Body of an action: the selected ids, or every request matching the query's filters. */
export class ActionBodyDto {
  @IsIn(['ids', 'filter'])
  scope!: 'ids' | 'filter';

  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  ids?: string[];
}
