import { sendProblem } from './send-problem';
import { type HttpRequest, type HttpResponse, type NextFunction, pathOf } from './http-types';
import { type RouteTable } from './route-table';

/** Request headers a browser client may send (API keys, conditional import, tracing). */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'X-API-Key',
  'X-Request-Id',
  'traceparent',
  'tracestate',
].join(', ');

/** Response headers a browser client may read besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = [
  'Allow',
  'ETag',
  'WWW-Authenticate',
  'X-Config-Version',
  'X-Request-Id',
].join(', ');

/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Parses `WM_CORS_ORIGINS`: a comma-separated list of origins (`https://ops.example.com`) allowed
 * to call the API from a browser, or `*` for any origin. Empty or unset turns CORS off: no CORS
 * header is ever sent and OPTIONS is answered 405 like any other method a path does not serve.
 */
export function parseCorsOrigins(value: string | undefined): readonly string[] {
  if (value === undefined || value.trim() === '') return [];
  const origins = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (origins.includes('*')) {
    if (origins.length > 1) throw new Error('WM_CORS_ORIGINS: "*" cannot be combined with origins');
    return ['*'];
  }
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin) {
      throw new Error(
        `WM_CORS_ORIGINS entry "${origin}" is not an origin: write scheme://host[:port], without a path or a trailing slash`,
      );
    }
  }
  return origins;
}

/**
 * Cross-origin access for browser clients on the origins of `WM_CORS_ORIGINS` (installed only
 * when it is set). Answers preflights itself, before authentication (a browser sends no key on
 * a preflight), and lets the answers of allowed origins be read, error answers included. API
 * keys travel in headers, never in cookies, so credentials are not allowed.
 */
export function corsMiddleware(origins: readonly string[], routes: RouteTable) {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  return (request: HttpRequest, response: HttpResponse, next: NextFunction): void => {
    const origin = request.headers.origin;
    const permitted =
      typeof origin === 'string' && (anyOrigin || allowed.has(origin)) ? origin : undefined;
    response.setHeader('Vary', 'Origin');
    if (permitted !== undefined) {
      response.setHeader('Access-Control-Allow-Origin', anyOrigin ? '*' : permitted);
      response.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    if (request.method !== 'OPTIONS') return next();
    const methods = routes.methodsFor(pathOf(request));
    if (methods.length === 0) {
      sendProblem(response, 404, 'not_found', `nothing is served at ${pathOf(request)}`);
      return;
    }
    const allow = [...methods, 'OPTIONS'].sort().join(', ');
    response.setHeader('Allow', allow);
    if (permitted !== undefined && request.headers['access-control-request-method'] !== undefined) {
      response.setHeader('Access-Control-Allow-Methods', allow);
      response.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      response.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_S));
    }
    response.statusCode = 204;
    response.end();
  };
}
