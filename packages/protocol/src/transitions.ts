import { type RequestState, type ResponseStatus } from './states';

/** A request that does not exist yet: the source of the first transition. */
export const NEW = 'NEW' as const;
export type TransitionSource = RequestState | typeof NEW;

/**
 * Every allowed state change of a request. The manager applies nothing that is not in this table,
 * and the tests walk it to prove that every other change is refused.
 *
 * Why some rows look generous:
 * - a worker may answer before the manager has recorded that its job was confirmed, so responses
 *   are accepted from `TO_DISPATCH` (fenced by `wm-attempt`, never by timing);
 * - `TO_DISPATCH` from a live state is the next workflow step, or a retry by policy;
 * - `NO_WORKER_AVAILABLE` from a dispatched state is an unroutable job, or a next step whose
 *   worker type is not alive.
 */
export const REQUEST_TRANSITIONS: Readonly<Record<TransitionSource, readonly RequestState[]>> = {
  NEW: ['TO_DISPATCH', 'NO_WORKER_AVAILABLE'],
  TO_DISPATCH: [
    'TO_DISPATCH',
    'DISPATCHED',
    'RUNNING',
    'SUCCESS',
    'ERROR',
    'INVALID_CONTENT',
    'NO_WORKER_AVAILABLE',
    'CANCELLED',
  ],
  NO_WORKER_AVAILABLE: ['TO_DISPATCH', 'CANCELLED'],
  DISPATCHED: [
    'TO_DISPATCH',
    'RUNNING',
    'SUCCESS',
    'ERROR',
    'INVALID_CONTENT',
    'NO_WORKER_AVAILABLE',
    'CANCELLED',
  ],
  RUNNING: [
    'TO_DISPATCH',
    'RUNNING',
    'SUCCESS',
    'ERROR',
    'INVALID_CONTENT',
    'NO_WORKER_AVAILABLE',
    'CANCELLED',
  ],
  // Retry starts a new cycle from a finished one.
  ERROR: ['TO_DISPATCH', 'NO_WORKER_AVAILABLE'],
  INVALID_CONTENT: ['TO_DISPATCH', 'NO_WORKER_AVAILABLE'],
  CANCELLED: ['TO_DISPATCH', 'NO_WORKER_AVAILABLE'],
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
