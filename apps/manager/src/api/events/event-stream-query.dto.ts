import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import {
  CONTENT_TYPE_PATTERN,
  EVENT_STATES,
  type EventState,
  MAX_REQUEST_ID_LENGTH,
} from '@org/protocol';
import { listOfStrings } from '../requests/dto/request-filter.dto';
import { RequesterMetadataDto } from '../requests/dto/requester-metadata.dto';

/** Request ids one stream may name (they travel in the URL, which Node caps at 16 KiB with the headers). */
export const MAX_STREAM_REQUEST_IDS = 200;

/** The filters of `GET /api/v1/events`; every given one must match. */
export class EventStreamQueryDto extends RequesterMetadataDto {
  @ApiPropertyOptional({
    isArray: true,
    type: String,
    description: 'Only these requests (repeat the parameter or separate with commas). @default all',
  })
  @IsOptional()
  @Transform(listOfStrings)
  @IsArray()
  @ArrayMaxSize(MAX_STREAM_REQUEST_IDS)
  @IsString({ each: true })
  @MaxLength(MAX_REQUEST_ID_LENGTH, { each: true })
  requestId?: string[];

  @ApiPropertyOptional({
    isArray: true,
    type: String,
    example: ['product/raw'],
    description: 'Only requests submitted with these content types. @default all',
  })
  @IsOptional()
  @Transform(listOfStrings)
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(CONTENT_TYPE_PATTERN, {
    each: true,
    message: 'must be a content type without spaces, "*" or "#"',
  })
  contentType?: string[];

  @ApiPropertyOptional({
    enum: EVENT_STATES,
    isArray: true,
    description: 'Only these event states. @default all',
  })
  @IsOptional()
  @Transform(listOfStrings)
  @IsArray()
  @ArrayMaxSize(EVENT_STATES.length)
  @IsIn(EVENT_STATES, { each: true })
  state?: EventState[];

  @ApiPropertyOptional({
    default: false,
    description: 'Only terminal events (SUCCESS, ERROR, INVALID_CONTENT, CANCELLED, SKIPPED).',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  terminal?: boolean;
}
