import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBase64,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  Max,
  Min,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CALLBACK_EVENTS,
  type CallbackEvents,
  CONTENT_TYPE_PATTERN,
  MAX_CALLBACK_URL_LENGTH,
  MAX_PRIORITY,
  MAX_REQUEST_ID_LENGTH,
  MAX_SHORT_HEADER_LENGTH,
  NOTIFY_MODES,
  type NotifyMode,
} from '@org/protocol';
import { PARTIAL_POLICIES, type PartialPolicy } from '../../../webhooks/batch-callbacks.repository';
import { IsTime } from './is-time.validator';
import { RequesterMetadataDto } from './requester-metadata.dto';

/** Largest batch accepted in one call. */
export const MAX_BATCH_SIZE = 1000;

/** One request: a payload (JSON, or bytes in base64) and the business content type that routes it. */
export class SubmitRequestDto extends RequesterMetadataDto {
  @ApiProperty({
    example: 'product/raw',
    description: 'Business content type; it chooses the worker type or workflow.',
  })
  @IsString()
  @Matches(CONTENT_TYPE_PATTERN, { message: 'must be a content type without spaces, "*" or "#"' })
  contentType!: string;

  @ApiPropertyOptional({
    description:
      'A JSON payload (any JSON value), sent to the worker as application/json. Give this or payloadBase64.',
    example: { sku: 'A-1' },
  })
  @ValidateIf((dto: SubmitRequestDto) => dto.payloadBase64 === undefined)
  @IsDefined({ message: 'give either payload (JSON) or payloadBase64 (bytes)' })
  payload?: unknown;

  @ApiPropertyOptional({ description: 'The payload bytes, base64-encoded. Give this or payload.' })
  @ValidateIf((dto: SubmitRequestDto) => dto.payloadBase64 !== undefined)
  @IsString()
  @IsBase64(undefined, { message: 'must be base64-encoded bytes' })
  payloadBase64?: string;

  @ApiPropertyOptional({
    example: 'image/png',
    description:
      'MIME type of payloadBase64. @default application/octet-stream (application/json for payload)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SHORT_HEADER_LENGTH)
  @Matches(/^[\w.+-]+\/[\w.+-]+(;.*)?$/, { message: 'must be a MIME type such as image/png' })
  mimeType?: string;

  @ApiPropertyOptional({
    description:
      'Your id for the request (idempotency): resubmitting the same id and payload is absorbed. @default generated',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REQUEST_ID_LENGTH)
  @Matches(/^\S+$/, { message: 'must not contain white space' })
  requestId?: string;

  @ApiPropertyOptional({
    description: "A queue that receives this request's events, besides the events exchange.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SHORT_HEADER_LENGTH)
  replyTo?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_PRIORITY,
    description: 'Higher is dispatched first (wm-priority). @default 0',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PRIORITY)
  priority?: number;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }],
    example: '2027-01-31T12:00:00Z',
    description:
      'Dispatch no earlier than this (ISO 8601 with a zone, or epoch ms); the request waits SCHEDULED (wm-not-before). @default as soon as possible',
  })
  @IsOptional()
  @IsTime()
  notBefore?: string | number;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }],
    description:
      'If no worker has started the request by then it ends ERROR "deadline passed" (wm-deadline). @default none',
  })
  @IsOptional()
  @IsTime()
  deadline?: string | number;

  @ApiPropertyOptional({
    enum: NOTIFY_MODES,
    description: 'Which events the requester receives (wm-notify). @default all',
  })
  @IsOptional()
  @IsIn(NOTIFY_MODES)
  notify?: NotifyMode;

  @ApiPropertyOptional({
    example: 'https://orders.example.com/hooks/wm',
    description:
      "An http(s) URL the manager POSTs this request's terminal event to, signed (wm-callback-url; docs/webhooks.md). @default none",
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CALLBACK_URL_LENGTH)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'must be an http or https URL' },
  )
  callbackUrl?: string;

  @ApiPropertyOptional({
    enum: CALLBACK_EVENTS,
    description:
      'Which events go to callbackUrl: terminal (the end only) or all (wm-callback-events). @default terminal',
  })
  @IsOptional()
  @IsIn(CALLBACK_EVENTS)
  callbackEvents?: CallbackEvents;
}

/** Several requests in one call; each is answered on its own. */
export class SubmitBatchDto {
  @ApiProperty({ type: [SubmitRequestDto], minItems: 1, maxItems: MAX_BATCH_SIZE })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_SIZE)
  @ValidateNested({ each: true })
  @Type(() => SubmitRequestDto)
  requests!: SubmitRequestDto[];

  @ApiPropertyOptional({
    example: 'https://orders.example.com/hooks/batches',
    description:
      'An http(s) URL that gets one signed summary of the whole batch once its requests have ended (docs/webhooks.md). @default none',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CALLBACK_URL_LENGTH)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'must be an http or https URL' },
  )
  callbackUrl?: string;

  @ApiPropertyOptional({
    enum: PARTIAL_POLICIES,
    description:
      'With callbackUrl: allow (the summary once every request ended; outcome succeeded, partial or failed) or fail (the batch fails at its first request that does not succeed: the summary goes at once). @default allow',
  })
  @IsOptional()
  @IsIn(PARTIAL_POLICIES)
  partial?: PartialPolicy;
}
