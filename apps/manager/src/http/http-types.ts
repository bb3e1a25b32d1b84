import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type ApiErrorBody } from './api-error';

/**
 * The manager only needs Node's request and response (express adds `body` and `route` on top);
 * typing against them keeps `express` itself out of the manager's dependencies.
 */
export type HttpRequest = IncomingMessage & {
  body?: unknown;
  originalUrl?: string;
  route?: { path?: string };
};
export type HttpResponse = ServerResponse;
export type NextFunction = (error?: unknown) => void;

export function sendError(response: HttpResponse, body: ApiErrorBody): void {
  if (body.statusCode === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="wm-manager"');
  response.statusCode = body.statusCode;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}

/** True when the media type is JSON (`application/json` or a `+json` type). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))
  );
}
