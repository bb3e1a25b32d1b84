import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  NotFoundException,
} from '@nestjs/common';
import { type Logger } from 'pino';
import { ProtocolValidationError } from '@org/protocol';
import { ApiException, defaultCode } from './api-error';
import { type HttpRequest, type HttpResponse, pathOf } from './http-types';
import { type ApiErrorCode, type ApiErrorDetail } from './problem-codes';
import { type RouteTable } from './route-table';
import { sendProblem } from './send-problem';
import { isTransientError } from '../database/database.service';

/** An error answer before it is written. */
interface Problem {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly detail: string;
  readonly errors?: readonly ApiErrorDetail[];
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Renders every error as RFC 9457 problem details. A path that exists but not for this method
 * is answered 405 with `Allow`; errors the code did not anticipate become a 500 whose detail
 * hides the internals (the log line keeps them, found by the request id).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly routes: RouteTable,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<HttpResponse>();
    const problem = this.render(exception, http.getRequest<HttpRequest>());
    if (problem.status >= 500) this.logger.error({ err: exception }, 'request failed');
    if (response.headersSent) return;
    sendProblem(response, problem.status, problem.code, problem.detail, problem);
  }

  private render(exception: unknown, request: HttpRequest): Problem {
    if (exception instanceof ApiException) {
      return {
        status: exception.getStatus(),
        code: exception.code,
        detail: exception.message,
        errors: exception.details,
        headers: exception.headers,
      };
    }
    if (exception instanceof ProtocolValidationError) {
      return {
        status: 400,
        code: 'validation_failed',
        detail: exception.message,
        errors: exception.issues,
      };
    }
    // Nest's answer when no route matched ("Cannot GET /path?query"): a known path asked with
    // another method is a 405; the detail leaves the query out (filters may name tenants).
    if (exception instanceof NotFoundException && messageOf(exception).startsWith('Cannot ')) {
      const path = pathOf(request);
      const allowed = this.routes.methodsFor(path);
      if (allowed.length > 0 && !allowed.includes(request.method ?? '')) {
        return {
          status: 405,
          code: 'method_not_allowed',
          detail: `${request.method ?? 'this method'} is not served at ${path}; use ${allowed.join(', ')}`,
          headers: { Allow: allowed.join(', ') },
        };
      }
      return {
        status: 404,
        code: 'not_found',
        detail: `nothing is served at ${request.method ?? ''} ${path}`,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: defaultCode(status), detail: messageOf(exception) };
    }
    // A lost database or broker connection is the dependency's outage, not a bug: 503 tells
    // clients and load balancers to try again (found by the fault suite, scenario 6: a submit
    // during a PostgreSQL outage answered 500 internal_error).
    if (isTransientError(exception)) {
      return {
        status: 503,
        code: 'service_unavailable',
        detail:
          'a dependency of the manager (database or broker) is unavailable; try again shortly',
      };
    }
    return {
      status: 500,
      code: 'internal_error',
      detail: 'the manager failed to handle this call; its logs say why under its requestId',
    };
  }
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : exception.message;
}
