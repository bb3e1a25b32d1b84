import { canTransition, retryDelayMs } from '@org/protocol';
import { type EngineContext } from './engine-context';
import { type Effects, eventOf } from './effects';
import { isStepRow, requestIdOf } from './graph-rows';
import { type Outcome } from './outcome';
import { type RowChange } from './row-change';
import { wait } from './waiting';

/**
 * A step failed (ERROR or INVALID_CONTENT from its worker, a dead-lettered job, a timeout).
 * A retryable ERROR within the policy's attempts waits for its retry: at once (QUEUED) or after
 * the backoff (SCHEDULED, the requester told DELAYED). Otherwise the request ends in the
 * failure's state, kept for inspection and retry or deleted by `keepErrors`.
 */
export function fail(
  change: RowChange,
  outcome: Outcome,
  context: EngineContext,
  effects: Effects,
): boolean {
  const { row } = change;
  const policy = context.failurePolicy(row);
  const messages =
    outcome.messages.length > 0
      ? [...outcome.messages]
      : [
          outcome.status === 'ERROR'
            ? 'the worker reported an error'
            : 'the worker refused the content',
        ];
  if (outcome.workerId) row.worker_id = outcome.workerId;
  const retry =
    outcome.status === 'ERROR' &&
    outcome.retryable === true &&
    row.cycle_attempts < policy.retry.maxAttempts;
  if (retry) {
    const delay = retryDelayMs(policy.retry, row.cycle_attempts + 1);
    const note = `attempt ${row.cycle_attempts} of ${policy.retry.maxAttempts} failed; retrying${delay > 0 ? ` in ${delay} ms` : ''}`;
    row.not_before = delay > 0 ? new Date(context.now + delay) : null;
    row.messages = [...messages, note];
    wait(change, context, effects, { delayedNote: note });
    // Kept after wait() cleared it: the operator sees which instance failed.
    if (outcome.workerId) row.worker_id = outcome.workerId;
    return true;
  }
  const state = outcome.status === 'ERROR' ? 'ERROR' : 'INVALID_CONTENT';
  if (!canTransition(row.state, state)) return false;
  change.move(state);
  row.messages = messages;
  row.not_before = null;
  effects.terminal.push(eventOf(row, state));
  // A failed graph step stays for its request's retry; keepErrors applies to the request.
  if (!policy.keepErrors && !isStepRow(row)) change.finish();
  return true;
}

/**
 * A dispatched job with no final answer by its deadline: `ERROR` (not retried), and a cancel
 * order so that a job still waiting in its queue is never run (design 5.1).
 */
export function timeOut(change: RowChange, context: EngineContext, effects: Effects): boolean {
  const { row } = change;
  const attempt = row.attempt;
  const holder = row.worker_id;
  const applied = fail(
    change,
    {
      requestId: row.id,
      attempt,
      status: 'ERROR',
      messages: [`timed out after ${row.timeout_ms ?? 0} ms without a final answer`],
      retryable: false,
      meta: {},
      body: Buffer.alloc(0),
    },
    context,
    effects,
  );
  if (applied) {
    effects.cancels.push({
      requestId: requestIdOf(row),
      attempt,
      workerType: row.worker_type,
      workerId: holder,
      reason: 'timed out',
    });
  }
  return applied;
}
