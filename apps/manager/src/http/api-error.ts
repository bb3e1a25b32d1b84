import { HttpException, HttpStatus } from '@nestjs/common';
import { type ApiErrorCode, type ApiErrorDetail } from './problem-codes';
import { ProblemDetails } from './problem-details';

export { API_ERROR_CODES, ApiErrorDetail, type ApiErrorCode } from './problem-codes';

/**
 * The schema of every error answer, under its former name: routes document their errors with
 * `type: ApiErrorBody`, which is the RFC 9457 {@link ProblemDetails}.
 */
export const ApiErrorBody = ProblemDetails;
export type ApiErrorBody = ProblemDetails;

/** Thrown by controllers and services for an answer other than success; the filter renders it. */
export class ApiException extends HttpException {
  constructor(
    status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: readonly ApiErrorDetail[],
    /** Response headers that belong to the answer (`Allow`, `ETag`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message, status);
  }
}

export function notFound(what: string): ApiException {
  return new ApiException(HttpStatus.NOT_FOUND, 'not_found', `${what} does not exist`);
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
    case 405:
      return 'method_not_allowed';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition_failed';
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
