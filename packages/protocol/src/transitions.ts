import { type RequestState, type ResponseStatus } from './states';

/** A request that does not exist yet: the source of the first transition. */
export const NEW = 'NEW' as const;
export type TransitionSource = RequestState | typeof NEW;

const WAITING = ['NO_WORKER_AVAILABLE', 'QUEUED', 'SCHEDULED'] as const;
const ANSWERS = ['SUCCESS', 'ERROR', 'INVALID_CONTENT'] as const;

/**
 * Every allowed state change of a request. The manager applies nothing that is not in this table,
 * and the tests walk it to prove that every other change is refused.
 *
 * Why some rows look generous:
 * - a worker may answer before the manager has recorded that its job was confirmed, so responses
 *   are accepted from `TO_DISPATCH` (fenced by `wm-attempt`, never by timing);
 * - `TO_DISPATCH` from an outstanding state is the next workflow step, or a retry by policy;
 * - a waiting state from an outstanding one is an unroutable job, a next step that must wait for
 *   its worker type or its window, or a retry backoff (`SCHEDULED`);
 * - `ERROR` from a waiting state is a request whose `wm-deadline` passed before it started;
 * - waiting states move among themselves as workers come and go, windows fill and schedules end.
 */
export const REQUEST_TRANSITIONS: Readonly<Record<TransitionSource, readonly RequestState[]>> = {
  NEW: ['TO_DISPATCH', ...WAITING],
  NO_WORKER_AVAILABLE: ['TO_DISPATCH', ...WAITING, 'ERROR', 'CANCELLED'],
  QUEUED: ['TO_DISPATCH', ...WAITING, 'ERROR', 'CANCELLED'],
  SCHEDULED: ['TO_DISPATCH', ...WAITING, 'ERROR', 'CANCELLED'],
  TO_DISPATCH: ['TO_DISPATCH', 'DISPATCHED', 'RUNNING', ...ANSWERS, ...WAITING, 'CANCELLED'],
  DISPATCHED: ['TO_DISPATCH', 'RUNNING', ...ANSWERS, ...WAITING, 'CANCELLED'],
  RUNNING: ['TO_DISPATCH', 'RUNNING', ...ANSWERS, ...WAITING, 'CANCELLED'],
  // Retry starts a new cycle from a finished one.
  ERROR: ['TO_DISPATCH', ...WAITING],
  INVALID_CONTENT: ['TO_DISPATCH', ...WAITING],
  CANCELLED: ['TO_DISPATCH', ...WAITING],
  SUCCESS: [],
};

export function canTransition(from: TransitionSource, to: RequestState): boolean {
  return REQUEST_TRANSITIONS[from].includes(to);
}

export class ForbiddenTransitionError extends Error {
  override readonly name = 'ForbiddenTransitionError';
  constructor(
    readonly from: TransitionSource,
    readonly to: RequestState,
  ) {
    super(`a request cannot go from ${from} to ${to}`);
  }
}

export function assertTransition(from: TransitionSource, to: RequestState): void {
  if (!canTransition(from, to)) throw new ForbiddenTransitionError(from, to);
}

/** The stored state a worker response leads to (`SUCCESS` of a middle workflow step becomes `TO_DISPATCH` of the next). */
export function stateForResponse(status: ResponseStatus): RequestState {
  return status === 'PROGRESS' ? 'RUNNING' : status;
}
