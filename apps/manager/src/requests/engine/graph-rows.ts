import { assertTransition, NEW, TERMINAL_REQUEST_STATES } from '@org/protocol';
import { type RequestRow } from './request-row';
import { type RowChange } from './row-change';

/**
 * How a graph request (design 5.4) lives in the `requests` table: its own row, the coordinator,
 * holds the request (its input, its state, its final output) and never a job; each step that
 * became ready has a step row, dispatched, fenced, timed out and retried like a chain's row.
 */

/**
 * The worker type of a coordinator row: not a valid worker type name, so no window, claim or
 * liveness check ever matches it.
 */
export const GRAPH_COORDINATOR_TYPE = '(graph)';

/**
 * Attempts of a step row advance by this much (at most this many steps in a workflow), and its
 * first attempt is its step index + 1: `(attempt - 1) mod 64` is the step index, so a worker's
 * response (request id and attempt, as in v1) finds its step with no new header to echo.
 */
export const GRAPH_ATTEMPT_STRIDE = 64;

/** Between a request's id and a step's index in a step row's id; never in a header value. */
const STEP_ROW_SEPARATOR = '\u001f';

/** True for the request row of a graph request. */
export function isCoordinator(row: RequestRow): boolean {
  return row.graph_of !== undefined && row.graph_of !== null && row.graph_of === row.id;
}

/** True for the row of one step of a graph request. */
export function isStepRow(row: RequestRow): boolean {
  return row.graph_of !== undefined && row.graph_of !== null && row.graph_of !== row.id;
}

/** The id requesters and workers know the row's request by. */
export function requestIdOf(row: RequestRow): string {
  return isStepRow(row) ? row.graph_of! : row.id;
}

export function stepRowId(requestId: string, index: number): string {
  return `${requestId}${STEP_ROW_SEPARATOR}${index}`;
}

/** The step row a response (request id, attempt) may be about, were the request a graph. */
export function stepRowIdOfAttempt(requestId: string, attempt: number): string | undefined {
  if (!Number.isInteger(attempt) || attempt < 1) return undefined;
  return stepRowId(requestId, (attempt - 1) % GRAPH_ATTEMPT_STRIDE);
}

/**
 * The rows to lock for messages about (request id, attempt) — responses, dead letters, returned
 * jobs: the request's row and, in case the request is a graph, the step row that attempt belongs
 * to. Locked in id order, the request's row comes first.
 */
export function rowIdsToLock(keys: ReadonlyArray<readonly [string, number]>): string[] {
  return keys.flatMap(([id, attempt]) => {
    const step = stepRowIdOfAttempt(id, attempt);
    return step === undefined ? [id] : [id, step];
  });
}

/**
 * The row a message about (request id, attempt) applies to, among locked rows by id: the graph
 * step its attempt names when there is one, else the request's own row.
 */
export function rowFor<T extends { readonly row: RequestRow }>(
  rows: ReadonlyMap<string, T>,
  requestId: string,
  attempt: number,
): T | undefined {
  const stepId = stepRowIdOfAttempt(requestId, attempt);
  const step = stepId === undefined ? undefined : rows.get(stepId);
  return step && step.row.graph_of === requestId ? step : rows.get(requestId);
}

/** The attempt of a row's next dispatch (the fencing token its job carries). */
export function nextAttempt(row: RequestRow): number {
  if (!isStepRow(row)) return row.attempt + 1;
  return row.attempt === 0 ? row.step + 1 : row.attempt + GRAPH_ATTEMPT_STRIDE;
}

/** How many times a step row was dispatched, from its attempt. */
export function dispatchesOf(attempt: number): number {
  return attempt <= 0 ? 0 : Math.floor((attempt - 1) / GRAPH_ATTEMPT_STRIDE) + 1;
}

/**
 * A new graph request: its row is the coordinator, `RUNNING` at once (its steps wait for their
 * worker types, not the request), holding no job. Its root steps are created when it settles.
 */
export function admitGraph(row: RequestRow): void {
  // Through the table's own path (a new request dispatched, then running), recorded as one.
  assertTransition(NEW, 'TO_DISPATCH');
  assertTransition('TO_DISPATCH', 'RUNNING');
  row.graph_of = row.id;
  row.worker_type = GRAPH_COORDINATOR_TYPE;
  row.state = 'RUNNING';
  row.timeout_ms = null;
}

/**
 * An operator's retry of a finished graph request: it runs again, and when it settles its
 * failed and cancelled steps wait for their workers again (with their stored inputs) while its
 * succeeded steps keep their outputs. Returns false when it did not finish.
 */
export function retryGraph(change: RowChange): boolean {
  const { row } = change;
  if (!TERMINAL_REQUEST_STATES.includes(row.state) || row.state === 'SUCCESS') return false;
  change.move('TO_DISPATCH');
  change.move('RUNNING');
  row.messages = [];
  row.start_by = null;
  row.not_before = null;
  return true;
}
