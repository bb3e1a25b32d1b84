import { type ApiErrorCode, type ApiErrorDetail } from './problem-codes';
import { PROBLEM_JSON, problemDetails } from './problem-details';
import { type HttpResponse, pathOf } from './http-types';
import { currentRequestContext } from '../logging/request-context';

/** What an error answer may carry beyond its status, code and detail. */
export interface ProblemExtras {
  /** Every located problem (the `errors` member). */
  readonly errors?: readonly ApiErrorDetail[];
  /** Headers that belong to the answer (`Allow` on 405, `ETag` on 412). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Answers a call with RFC 9457 problem details (`application/problem+json`): the one shape of
 * every error, whether it comes from a controller, the guard, the body parser or a middleware.
 */
export function sendProblem(
  response: HttpResponse,
  status: number,
  code: ApiErrorCode,
  detail: string,
  extras: ProblemExtras = {},
): void {
  const body = problemDetails(
    status,
    code,
    detail,
    {
      instance: pathOf(response.req),
      requestId: currentRequestContext()?.requestId ?? '',
    },
    extras.errors,
  );
  if (status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="wm-manager"');
  for (const [name, value] of Object.entries(extras.headers ?? {})) response.setHeader(name, value);
  response.statusCode = status;
  response.setHeader('Content-Type', PROBLEM_JSON);
  response.setHeader('Cache-Control', 'no-store');
  response.end(JSON.stringify(body));
}
