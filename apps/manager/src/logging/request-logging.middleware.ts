import { randomUUID } from 'node:crypto';
import { type Logger } from 'pino';
import { type HttpRequest, type HttpResponse, type NextFunction } from '../http/http-types';
import { parseTraceParent } from './trace-context';
import { runWithRequestContext, type RequestContext } from './request-context';

// A caller's id is reused only when it cannot break a log line or a header.
const USABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * First middleware of every call: gives it a request id (the caller's `X-Request-Id` or a new
 * one, echoed in the response), reads its `traceparent`, and writes one access line when it
 * ends. Everything the call does runs inside its {@link RequestContext}.
 */
export function requestLogging(logger: Logger) {
  return (request: HttpRequest, response: HttpResponse, next: NextFunction): void => {
    const given = request.headers['x-request-id'];
    const requestId =
      typeof given === 'string' && USABLE_REQUEST_ID.test(given) ? given : randomUUID();
    const traceparentHeader =
      typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined;
    const trace = parseTraceParent(traceparentHeader);
    const tracestate =
      typeof request.headers.tracestate === 'string' ? request.headers.tracestate : undefined;
    const context: RequestContext = {
      requestId,
      ...(trace
        ? { traceId: trace.traceId, traceparent: traceparentHeader!.trim().toLowerCase() }
        : {}),
      ...(trace && tracestate ? { tracestate } : {}),
    };
    response.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const status = response.statusCode;
      const line = {
        requestId,
        ...(context.traceId ? { traceId: context.traceId } : {}),
        ...(context.principal ? { principal: context.principal } : {}),
        method: request.method,
        // The path without its query: filters may carry tenant or owner names.
        path: (request.originalUrl ?? request.url ?? '').split('?')[0],
        status,
        durationMs: Math.round(durationMs * 10) / 10,
      };
      // Probes arrive every few seconds from every orchestrator node: only worth a line when debugging.
      if (line.path?.startsWith('/health/')) logger.debug(line, 'http call');
      else if (status >= 500) logger.warn(line, 'http call failed');
      else logger.info(line, 'http call');
    });
    runWithRequestContext(context, () => next());
  };
}
