import {
  canTransition,
  OUTSTANDING_REQUEST_STATES,
  RETRYABLE_REQUEST_STATES,
  TERMINAL_REQUEST_STATES,
  WAITING_REQUEST_STATES,
  type RequestState,
} from '@org/protocol';
import { type EngineContext } from './engine-context';
import { isCoordinator, requestIdOf, retryGraph } from './graph-rows';
import { type Effects, eventOf } from './effects';
import { type RowChange } from './row-change';
import { wait } from './waiting';

/** States a request may be cancelled from: every live one. */
export const CANCELLABLE_STATES: readonly RequestState[] = [
  ...WAITING_REQUEST_STATES,
  ...OUTSTANDING_REQUEST_STATES,
];

/** States a request may be deleted from: none a worker may be running (a kept SUCCESS included). */
export const DELETABLE_STATES: readonly RequestState[] = [
  ...TERMINAL_REQUEST_STATES,
  ...WAITING_REQUEST_STATES,
];

/**
 * An operator's retry. A finished cycle (ERROR, INVALID_CONTENT, CANCELLED) starts a new one at
 * the failed step, with that step's stored input; a waiting request stops waiting for its
 * schedule or backoff. Returns the states that would have allowed it when refused.
 */
export function retry(
  change: RowChange,
  context: EngineContext,
  effects: Effects,
): readonly RequestState[] | undefined {
  const { row } = change;
  if (!RETRYABLE_REQUEST_STATES.includes(row.state)) return RETRYABLE_REQUEST_STATES;
  // A graph request runs again; its failed steps are retried when it settles (engine/graph).
  if (isCoordinator(row)) return retryGraph(change) ? undefined : RETRYABLE_REQUEST_STATES;
  if (TERMINAL_REQUEST_STATES.includes(row.state)) {
    row.cycle_attempts = 0;
    row.messages = [];
    // A new cycle: the old deadline was the previous cycle's (it may be why it ended).
    row.start_by = null;
  }
  row.not_before = null;
  const from = row.state;
  wait(change, context, effects, { announce: from !== 'NO_WORKER_AVAILABLE' });
  if (row.state === from) change.touch();
  return undefined;
}

/**
 * Cancels a live request: CANCELLED (kept, retryable), the requester told. A job that may be
 * outstanding gets a cancel order for its attempt, to the instance holding it and to the whole
 * type, so one still waiting in the queue is never run (design 5.1).
 */
export function cancel(
  change: RowChange,
  reason: string,
  effects: Effects,
): readonly RequestState[] | undefined {
  const { row } = change;
  if (!CANCELLABLE_STATES.includes(row.state) || !canTransition(row.state, 'CANCELLED'))
    return CANCELLABLE_STATES;
  const outstanding = OUTSTANDING_REQUEST_STATES.includes(row.state);
  change.move('CANCELLED');
  row.messages = [reason];
  row.not_before = null;
  effects.terminal.push(eventOf(row, 'CANCELLED'));
  // A graph request holds no job itself: its steps are cancelled when it settles.
  if (outstanding && !isCoordinator(row)) {
    effects.cancels.push({
      requestId: requestIdOf(row),
      attempt: row.attempt,
      workerType: row.worker_type,
      workerId: row.worker_id,
      reason,
    });
  }
  return undefined;
}

/**
 * The job of the current attempt came back unroutable (its queue is gone): the request waits for
 * a worker again, and this dispatch does not count against the retry policy.
 */
export function unroute(change: RowChange, effects: Effects): boolean {
  const { row } = change;
  if (!OUTSTANDING_REQUEST_STATES.includes(row.state)) return false;
  if (!canTransition(row.state, 'NO_WORKER_AVAILABLE')) return false;
  change.move('NO_WORKER_AVAILABLE');
  row.worker_id = null;
  row.cycle_attempts = Math.max(row.cycle_attempts - 1, 0);
  row.messages = ['no queue was bound for the job; the request waits for a worker'];
  effects.events.push(eventOf(row, 'DELAYED'));
  return true;
}
