import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  MinLength,
  Min,
} from 'class-validator';
import {
  CONTENT_TYPE_PATTERN,
  MAX_PRIORITY,
  MAX_REQUEST_ID_LENGTH,
  REQUEST_STATES,
  type RequestState,
  WORKER_TYPE_PATTERN,
} from '@org/protocol';
import { RequesterMetadataDto } from './requester-metadata.dto';

/** `?state=ERROR&state=CANCELLED` and `?state=ERROR,CANCELLED` both mean the two states. */
export function listOfStrings({ value }: { value: unknown }): unknown {
  const values: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  return values
    .flatMap((entry) =>
      typeof entry === 'string' ? entry.split(',').map((part) => part.trim()) : [entry],
    )
    .filter((entry) => entry !== '');
}

/** The filters shared by listing, bulk retry and bulk delete; every given one must match. */
export class RequestFilterDto extends RequesterMetadataDto {
  @ApiPropertyOptional({
    enum: REQUEST_STATES,
    isArray: true,
    description: 'One or more states (repeat the parameter or separate with commas).',
  })
  @IsOptional()
  @Transform(listOfStrings)
  @IsArray()
  @ArrayMaxSize(REQUEST_STATES.length)
  @IsIn(REQUEST_STATES, { each: true })
  state?: RequestState[];

  @ApiPropertyOptional({
    example: 'product/raw',
    description: 'The content type the request was submitted with.',
  })
  @IsOptional()
  @IsString()
  @Matches(CONTENT_TYPE_PATTERN, { message: 'must be a content type without spaces, "*" or "#"' })
  contentType?: string;

  @ApiPropertyOptional({ example: 'file-mover', description: 'Worker type of the current step.' })
  @IsOptional()
  @IsString()
  @Matches(WORKER_TYPE_PATTERN, {
    message: 'must be a worker type name (lower-case letters, digits, "_" and "-")',
  })
  workerType?: string;

  @ApiPropertyOptional({ example: 'product/ingest' })
  @IsOptional()
  @IsString()
  @Matches(CONTENT_TYPE_PATTERN, { message: 'must be a workflow type' })
  workflow?: string;

  @ApiPropertyOptional({
    example: 'parent-42',
    description: 'Requests a worker submitted while running this request (`ctx.submit`).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REQUEST_ID_LENGTH)
  parentId?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_PRIORITY, description: 'wm-priority, 0–9.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PRIORITY)
  priority?: number;

  @ApiPropertyOptional({
    example: '2026-01-31T00:00:00Z',
    description: 'Created at or after this instant (ISO 8601).',
  })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  createdFrom?: string;

  @ApiPropertyOptional({
    example: '2026-02-01T00:00:00Z',
    description: 'Created before this instant (ISO 8601).',
  })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  createdTo?: string;

  @ApiPropertyOptional({
    example: 'invoice-2026-001',
    description:
      "The stored input (the current step's) contains this text (UTF-8). Reads every row the other filters leave: narrow them on large tables.",
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  payload?: string;
}
