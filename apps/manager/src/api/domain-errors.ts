import { HttpStatus } from '@nestjs/common';
import { ApiException, notFound } from '../http/api-error';
import {
  FilterRequiredError,
  IneligibleStatesError,
  InvalidCursorError,
  OutputUnavailableError,
  RequestNotFoundError,
  RequestStateError,
  UnknownWorkerTypeError,
} from '../requests/request-errors';

/**
 * The one place domain errors become HTTP answers: an unknown request or worker type 404, an
 * operation its state does not allow 409, a bad cursor or filter 400. Anything else is thrown
 * on unchanged (the exception filter answers 500 for what it does not know).
 */
export function rethrowAsApiError(error: unknown): never {
  throw apiErrorOf(error) ?? error;
}

export function apiErrorOf(error: unknown): ApiException | undefined {
  if (error instanceof RequestNotFoundError) return notFound(`request "${error.requestId}"`);
  if (error instanceof UnknownWorkerTypeError) return notFound(`worker type "${error.workerType}"`);
  if (error instanceof RequestStateError || error instanceof OutputUnavailableError)
    return new ApiException(HttpStatus.CONFLICT, 'not_eligible', error.message);
  if (error instanceof InvalidCursorError)
    return new ApiException(HttpStatus.BAD_REQUEST, 'validation_failed', error.message, [
      { path: 'cursor', message: error.message },
    ]);
  if (error instanceof IneligibleStatesError)
    return new ApiException(HttpStatus.BAD_REQUEST, 'not_eligible', error.message, [
      { path: 'state', message: error.message },
    ]);
  if (error instanceof FilterRequiredError)
    return new ApiException(HttpStatus.BAD_REQUEST, 'validation_failed', error.message);
  return undefined;
}
