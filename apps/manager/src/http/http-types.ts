import { type IncomingMessage, type ServerResponse } from 'node:http';

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

/** The path of a call without its query string (filters may carry tenant or owner names). */
export function pathOf(request: HttpRequest | undefined): string {
  return (request?.originalUrl ?? request?.url ?? '/').split('?')[0] ?? '/';
}

/** True when the media type is JSON: `application/json` or any `application/*+json` type. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))
  );
}
