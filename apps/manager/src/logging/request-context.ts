import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and error body written while serving one HTTP request carries. */
export interface RequestContext {
  /** `X-Request-Id` of the call (the caller's when it sent a usable one, else generated). */
  readonly requestId: string;
  /** W3C trace id from the caller's `traceparent`, when it sent one. */
  readonly traceId?: string;
  /** The caller's `traceparent`, passed on to the requests it submits. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** Name of the API key that authenticated the call, set by the guard. */
  principal?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `context` visible to {@link currentRequestContext} in everything it awaits. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
