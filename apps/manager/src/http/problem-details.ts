import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type ApiErrorCode, API_ERROR_CODES, ApiErrorDetail } from './problem-codes';

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_JSON = 'application/problem+json';

/** Prefix of every problem `type`: a URN, named by the stable code (`urn:wm:problem:not_found`). */
export const PROBLEM_TYPE_PREFIX = 'urn:wm:problem:';

/** The short, occurrence-independent summary of each problem type (RFC 9457 `title`). */
const TITLES: Record<ApiErrorCode, string> = {
  validation_failed: 'The request is invalid',
  invalid_json: 'The body is not valid JSON',
  forbidden_key: 'The body holds a forbidden key',
  unsupported_media_type: 'Unsupported media type',
  payload_too_large: 'The body is too large',
  unauthorized: 'An API key is required',
  forbidden: 'The API key does not allow this call',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  not_eligible: 'The request is not in a state that allows this',
  conflict: 'Conflict',
  precondition_failed: 'Precondition failed',
  invalid_configuration: 'The configuration is invalid',
  service_unavailable: 'Service unavailable',
  internal_error: 'Internal error',
};

/**
 * RFC 9457 problem details, the body of every error answer (`application/problem+json`). The
 * extension members `code` (stable, for programs), `errors` (every located problem) and
 * `requestId` (the call's X-Request-Id, to find its log lines) come after the standard ones.
 */
export class ProblemDetails {
  @ApiProperty({
    description: `A URI naming the problem type: "${PROBLEM_TYPE_PREFIX}" followed by code.`,
    example: `${PROBLEM_TYPE_PREFIX}validation_failed`,
  })
  type!: string;

  @ApiProperty({
    description: 'Short summary of the problem type.',
    example: TITLES.validation_failed,
  })
  title!: string;

  @ApiProperty({ description: 'The HTTP status code.', example: 400 })
  status!: number;

  @ApiProperty({
    description: 'What went wrong in this occurrence and what to do about it.',
    example: 'the request is invalid: contentType: must be a string',
  })
  detail!: string;

  @ApiProperty({ description: 'The path of the call that failed.', example: '/api/v1/requests' })
  instance!: string;

  @ApiProperty({ enum: API_ERROR_CODES, example: 'validation_failed' })
  code!: ApiErrorCode;

  @ApiPropertyOptional({
    type: [ApiErrorDetail],
    description: 'Every located problem, when there are some (invalid fields, configuration).',
  })
  errors?: ApiErrorDetail[];

  @ApiProperty({ description: 'The X-Request-Id of the call, to find its log lines.' })
  requestId!: string;
}

/** Builds the problem details of one failed call. */
export function problemDetails(
  status: number,
  code: ApiErrorCode,
  detail: string,
  call: { readonly instance: string; readonly requestId: string },
  errors?: readonly ApiErrorDetail[],
): ProblemDetails {
  return {
    type: `${PROBLEM_TYPE_PREFIX}${code}`,
    title: TITLES[code],
    status,
    detail,
    instance: call.instance,
    code,
    ...(errors && errors.length > 0
      ? { errors: errors.map(({ path, message }) => ({ path, message })) }
      : {}),
    requestId: call.requestId,
  };
}
