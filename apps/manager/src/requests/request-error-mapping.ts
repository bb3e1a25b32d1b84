import { HttpStatus } from '@nestjs/common';
import { ApiException, notFound } from '../http/api-error';
import { RequestNotFoundError, RequestStateError } from './request-errors';

/** Turns the request services' errors into HTTP answers: unknown id 404, wrong state 409. */
export function rethrowAsApiError(error: unknown): never {
  if (error instanceof RequestNotFoundError) throw notFound(`request "${error.requestId}"`);
  if (error instanceof RequestStateError)
    throw new ApiException(HttpStatus.CONFLICT, 'not_eligible', error.message);
  throw error;
}
