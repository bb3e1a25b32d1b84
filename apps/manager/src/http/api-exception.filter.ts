import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type Logger } from 'pino';
import { ProtocolValidationError } from '@org/protocol';
import { ApiException, apiErrorBody, defaultCode, type ApiErrorBody } from './api-error';
import { type HttpResponse, sendError } from './http-types';
import { currentRequestContext } from '../logging/request-context';
import { isTransientError } from '../database/database.service';

/**
 * Renders every error as {@link ApiErrorBody}. Errors the code did not anticipate become a 500
 * whose message hides the internals; the log line keeps them, found by the request id.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const body = this.render(exception);
    if (body.statusCode >= 500) this.logger.error({ err: exception }, 'request failed');
    if (response.headersSent) return;
    sendError(response, body);
  }

  private render(exception: unknown): ApiErrorBody {
    const requestId = currentRequestContext()?.requestId ?? '';
    if (exception instanceof ApiException) {
      return apiErrorBody(
        exception.getStatus(),
        exception.code,
        exception.message,
        requestId,
        exception.details,
      );
    }
    if (exception instanceof ProtocolValidationError) {
      return apiErrorBody(400, 'validation_failed', exception.message, requestId, exception.issues);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return apiErrorBody(status, defaultCode(status), messageOf(exception), requestId);
    }
    // A lost database or broker connection is the dependency's outage, not a bug: 503 tells
    // clients and load balancers to try again (found by the fault suite, scenario 6: a submit
    // during a PostgreSQL outage answered 500 internal_error).
    if (isTransientError(exception)) {
      return apiErrorBody(
        503,
        'service_unavailable',
        'a dependency of the manager (database or broker) is unavailable; try again shortly',
        requestId,
      );
    }
    return apiErrorBody(
      500,
      'internal_error',
      `the manager failed to handle this call; its logs say why under requestId ${requestId}`,
      requestId,
    );
  }
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : exception.message;
}
