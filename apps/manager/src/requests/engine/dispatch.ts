import { canTransition, jobMessageId, type JobInput } from '@org/protocol';
import { nextAttempt, requestIdOf } from './graph-rows';
import { type DispatchRow, type RequestRow } from './request-row';
import { type RowChange } from './row-change';

/**
 * A waiting row claimed for dispatch: `TO_DISPATCH` with a new attempt (the fencing token its
 * answers must echo). The repository starts its lease and its timeout clock from the
 * database's now. Returns false when the row cannot be dispatched from its state.
 */
export function claim(change: RowChange): boolean {
  const { row } = change;
  if (row.state !== 'QUEUED' && row.state !== 'NO_WORKER_AVAILABLE') return false;
  if (!canTransition(row.state, 'TO_DISPATCH')) return false;
  change.move('TO_DISPATCH');
  row.attempt = nextAttempt(row);
  row.cycle_attempts += 1;
  row.worker_id = null;
  row.messages = [];
  change.claimed = true;
  return true;
}

/**
 * A TO_DISPATCH row whose lease expired (the replica that claimed it died before the broker
 * confirmed its job): dispatched again under a new attempt, so answers to a copy the dead
 * replica may have published are dropped as stale.
 */
export function redispatch(change: RowChange): boolean {
  const { row } = change;
  if (row.state !== 'TO_DISPATCH') return false;
  change.move('TO_DISPATCH');
  row.attempt = nextAttempt(row);
  change.claimed = true;
  return true;
}

/**
 * A job whose batch its worker queue dead-lettered (the worker crashed on the batch until the
 * delivery limit): the batch condemns none of its items (design 5.2). The job, if it is still the
 * current attempt and outstanding, is dispatched again under a new attempt, alone in its
 * message, without counting against the retry policy (`cycle_attempts` is kept).
 */
export function redispatchAlone(change: RowChange, attempt: number): boolean {
  const { row } = change;
  if (row.attempt !== attempt) return false;
  if (row.state !== 'TO_DISPATCH' && row.state !== 'DISPATCHED' && row.state !== 'RUNNING')
    return false;
  change.move('TO_DISPATCH');
  row.attempt = nextAttempt(row);
  row.worker_id = null;
  change.claimed = true;
  return true;
}

/**
 * The job's `wm-deadline` (epoch ms): the earlier of the request's own deadline (while no worker
 * has started it) and the dispatch time plus the policy's timeout. A worker receiving the job
 * later acknowledges it without running it; undefined when neither applies.
 */
export function jobDeadline(row: RequestRow, dispatchedAt: number): number | undefined {
  const timeout = row.timeout_ms === null ? undefined : dispatchedAt + row.timeout_ms;
  const startBy = row.start_by?.getTime();
  if (timeout === undefined) return startBy;
  if (startBy === undefined) return timeout;
  return Math.min(timeout, startBy);
}

/** The job of a row's current step and attempt. */
export function jobOf(row: DispatchRow, dispatchedAt: number): JobInput {
  const requestId = requestIdOf(row);
  return {
    requestId,
    attempt: row.attempt,
    workerType: row.worker_type,
    contentType: row.input_content_type,
    workflow: row.workflow ?? undefined,
    step: row.step,
    stepId: row.step_id ?? undefined,
    deadline: jobDeadline(row, dispatchedAt),
    meta: row.meta,
    messageId: jobMessageId(requestId, row.attempt),
    correlationId: row.correlation_id ?? undefined,
    mimeType: row.input_mime ?? undefined,
    body: row.input,
    tenant: row.tenant ?? undefined,
    owner: row.owner ?? undefined,
    session: row.session ?? undefined,
    traceparent: row.traceparent ?? undefined,
    tracestate: row.tracestate ?? undefined,
  };
}
