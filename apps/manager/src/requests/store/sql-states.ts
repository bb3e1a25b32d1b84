import {
  OUTSTANDING_REQUEST_STATES,
  TERMINAL_REQUEST_STATES,
  type RequestState,
} from '@org/protocol';

/**
 * `('A', 'B')`: a list of states for SQL, spelled from the protocol's constants so that no
 * statement names a state of its own. The values are the protocol's fixed identifiers, never
 * input, so inlining them is safe (and lets the planner match the partial indexes).
 */
export function sqlStates(states: readonly RequestState[]): string {
  return `(${states.map((state) => `'${state}'`).join(', ')})`;
}

/** Waiting states a dispatcher claims from (`SCHEDULED` waits for its time first). */
export const BACKLOG_STATES: readonly RequestState[] = ['NO_WORKER_AVAILABLE', 'QUEUED'];

export const OUTSTANDING = sqlStates(OUTSTANDING_REQUEST_STATES);
export const BACKLOG = sqlStates(BACKLOG_STATES);
export const TERMINAL = sqlStates(TERMINAL_REQUEST_STATES);
