import { ApiProperty } from '@nestjs/swagger';

/** One located problem: a body or query path (`requests[2].contentType`) and what is wrong there. */
export class ApiErrorDetail {
  @ApiProperty({ example: 'requests[0].contentType' })
  path!: string;

  @ApiProperty({ example: 'must be a content type without spaces, "*" or "#"' })
  message!: string;
}

/**
 * Machine-readable error codes, stable across versions: each is the `code` member of a problem
 * and the last segment of its `type` (`urn:wm:problem:<code>`).
 */
export const API_ERROR_CODES = [
  'validation_failed',
  'invalid_json',
  'forbidden_key',
  'unsupported_media_type',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'not_eligible',
  'conflict',
  'precondition_failed',
  'invalid_configuration',
  'service_unavailable',
  'internal_error',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];
