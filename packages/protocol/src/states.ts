/** States a request row can be in, as stored by the manager. */
export const REQUEST_STATES = [
  'TO_DISPATCH',
  'NO_WORKER_AVAILABLE',
  'DISPATCHED',
  'RUNNING',
  'SUCCESS',
  'ERROR',
  'INVALID_CONTENT',
  'CANCELLED',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** Statuses a worker answers with in `wm-status`. */
export const RESPONSE_STATUSES = [
  'RUNNING',
  'PROGRESS',
  'SUCCESS',
  'ERROR',
  'INVALID_CONTENT',
] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

/** States reported to requesters in `wm-state` on `<ns>.events`. */
export const EVENT_STATES = [
  'SKIPPED',
  'GRANTED',
  'DELAYED',
  'RUNNING',
  'PROGRESS',
  'SUCCESS',
  'ERROR',
  'INVALID_CONTENT',
  'CANCELLED',
] as const;
export type EventState = (typeof EVENT_STATES)[number];

/** A request cycle ends in exactly one of these. */
export const TERMINAL_EVENT_STATES: readonly EventState[] = [
  'SUCCESS',
  'ERROR',
  'INVALID_CONTENT',
  'CANCELLED',
  'SKIPPED',
];

/** Stored states that end a cycle; the request stays only for inspection, retry or deletion. */
export const TERMINAL_REQUEST_STATES: readonly RequestState[] = [
  'SUCCESS',
  'ERROR',
  'INVALID_CONTENT',
  'CANCELLED',
];

/** States in which the manager is still working on a request. */
export const LIVE_REQUEST_STATES: readonly RequestState[] = [
  'TO_DISPATCH',
  'NO_WORKER_AVAILABLE',
  'DISPATCHED',
  'RUNNING',
];

/** States an operator may retry or delete; a request a worker may be running is never one. */
export const RETRYABLE_REQUEST_STATES: readonly RequestState[] = [
  'ERROR',
  'INVALID_CONTENT',
  'NO_WORKER_AVAILABLE',
  'CANCELLED',
];

export function isRequestState(value: string): value is RequestState {
  return (REQUEST_STATES as readonly string[]).includes(value);
}

export function isResponseStatus(value: string): value is ResponseStatus {
  return (RESPONSE_STATUSES as readonly string[]).includes(value);
}

export function isEventState(value: string): value is EventState {
  return (EVENT_STATES as readonly string[]).includes(value);
}

export function isTerminalRequestState(state: RequestState): boolean {
  return TERMINAL_REQUEST_STATES.includes(state);
}

/** Lower-case form used in routing keys (`success.file-mover`, `granted.product/raw`). */
export function routingWord(state: ResponseStatus | EventState): string {
  return state.toLowerCase();
}
