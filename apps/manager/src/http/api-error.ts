import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One located problem: a body or query path (`requests[2].contentType`) and what is wrong there. */
export class ApiErrorDetail {
  @ApiProperty({ example: 'requests[0].contentType' })
  path!: string;

  @ApiProperty({ example: 'must be a content type without spaces, "*" or "#"' })
  message!: string;
}

/** Machine-readable error codes; `message` says the same for a person. */
export const API_ERROR_CODES = [
  'validation_failed',
  'invalid_json',
  'forbidden_key',
  'unsupported_media_type',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'not_eligible',
  'conflict',
  'invalid_configuration',
  'service_unavailable',
  'internal_error',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** The one shape of every error the HTTP interface answers with. */
export class ApiErrorBody {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request', description: 'The HTTP reason phrase.' })
  error!: string;

  @ApiProperty({ enum: API_ERROR_CODES, example: 'validation_failed' })
  code!: ApiErrorCode;

  @ApiProperty({ example: 'the request is invalid: contentType: must be a string' })
  message!: string;

  @ApiPropertyOptional({ type: [ApiErrorDetail] })
  details?: ApiErrorDetail[];

  @ApiProperty({ description: 'The X-Request-Id of the call, to find its log lines.' })
  requestId!: string;
}

/** Thrown by controllers and services for an answer other than success; the filter renders it. */
export class ApiException extends HttpException {
  constructor(
    status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: readonly ApiErrorDetail[],
  ) {
    super(message, status);
  }
}

export function notFound(what: string): ApiException {
  return new ApiException(HttpStatus.NOT_FOUND, 'not_found', `${what} does not exist`);
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** The code a status gets when the thrower did not choose one (Nest's own exceptions). */
export function defaultCode(status: number): ApiErrorCode {
  switch (status) {
    case 400:
      return 'validation_failed';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 503:
      return 'service_unavailable';
    default:
      return status >= 500 ? 'internal_error' : 'validation_failed';
  }
}

export function apiErrorBody(
  status: number,
  code: ApiErrorCode,
  message: string,
  requestId: string,
  details?: readonly ApiErrorDetail[],
): ApiErrorBody {
  return {
    statusCode: status,
    error: reasonPhrase(status),
    code,
    message,
    ...(details && details.length > 0 ? { details: [...details] } : {}),
    requestId,
  };
}
