/**
 * States a request row can be in, as stored by the manager.
 *
 * v2 adds two waiting states beside `NO_WORKER_AVAILABLE`: `QUEUED` (a live worker type whose
 * dispatch window is full, or that is paused) and `SCHEDULED` (not before a time: `wm-not-before`,
 * or a retry backoff).
 */
export const REQUEST_STATES = [
  'TO_DISPATCH',
  'NO_WORKER_AVAILABLE',
  'QUEUED',
  'SCHEDULED',
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

/** States reported to requesters in `wm-state` on `<ns>.events` (v2 adds `SCHEDULED`). */
export const EVENT_STATES = [
  'SKIPPED',
  'GRANTED',
  'DELAYED',
  'SCHEDULED',
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

/**
 * Events that only inform (design 5.3): published non-persistent and unconfirmed, at most once.
 * Terminal events are persistent and at least once.
 */
export const INFORMATIONAL_EVENT_STATES: readonly EventState[] = [
  'GRANTED',
  'DELAYED',
  'SCHEDULED',
  'RUNNING',
  'PROGRESS',
];

/** Stored states that end a cycle; the request stays only for inspection, retry or deletion. */
export const TERMINAL_REQUEST_STATES: readonly RequestState[] = [
  'SUCCESS',
  'ERROR',
  'INVALID_CONTENT',
  'CANCELLED',
];

/** States in which a request waits in the manager's backlog: no job of it is outstanding. */
export const WAITING_REQUEST_STATES: readonly RequestState[] = [
  'NO_WORKER_AVAILABLE',
  'QUEUED',
  'SCHEDULED',
];

/**
 * States in which a job of the request is outstanding (published or about to be, not yet
 * answered): what the dispatch window of a worker type counts.
 */
export const OUTSTANDING_REQUEST_STATES: readonly RequestState[] = [
  'TO_DISPATCH',
  'DISPATCHED',
  'RUNNING',
];

/** States in which the manager is still working on a request. */
export const LIVE_REQUEST_STATES: readonly RequestState[] = [
  ...OUTSTANDING_REQUEST_STATES,
  ...WAITING_REQUEST_STATES,
];

/**
 * States an operator may retry: a finished cycle starts a new one; a waiting request is
 * dispatched without waiting for its schedule or backoff. A request a worker may be running is
 * never one.
 */
export const RETRYABLE_REQUEST_STATES: readonly RequestState[] = [
  'ERROR',
  'INVALID_CONTENT',
  'CANCELLED',
  'NO_WORKER_AVAILABLE',
  'QUEUED',
  'SCHEDULED',
];

/** `wm-notify`: which events a requester receives. */
export const NOTIFY_MODES = ['all', 'terminal', 'none'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];

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

export function isTerminalEventState(state: EventState): boolean {
  return TERMINAL_EVENT_STATES.includes(state);
}

/** Whether a requester that asked for `mode` receives an event of `state`. */
export function notifies(mode: NotifyMode, state: EventState): boolean {
  if (mode === 'all') return true;
  if (mode === 'none') return false;
  return isTerminalEventState(state);
}

/** Lower-case form used in routing keys (`success.file-mover`, `granted.product/raw`). */
export function routingWord(state: ResponseStatus | EventState): string {
  return state.toLowerCase();
}

/** Which events a request's webhook receives (`wm-callback-events`). */
export const CALLBACK_EVENTS = ['terminal', 'all'] as const;
export type CallbackEvents = (typeof CALLBACK_EVENTS)[number];
