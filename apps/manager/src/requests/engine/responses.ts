import { canTransition, OUTSTANDING_REQUEST_STATES } from '@org/protocol';
import { type DropReason } from './drop-reason';
import { type EngineContext } from './engine-context';
import { type Effects, eventOf } from './effects';
import { fail } from './failures';
import { isStepRow } from './graph-rows';
import { type Outcome } from './outcome';
import { type RowChange } from './row-change';
import { wait } from './waiting';

/**
 * Whether an outcome may be applied to a row at all: it must be about the current attempt of a
 * request whose job is outstanding, come from the worker type the step was sent to, and not
 * repeat what was applied. Returns why it is dropped, or undefined.
 */
export function fence(change: RowChange | undefined, outcome: Outcome): DropReason | undefined {
  if (!change) return 'unknown';
  const { row } = change;
  if (change.finished) return 'late';
  if (outcome.attempt !== row.attempt) return 'stale';
  if (!OUTSTANDING_REQUEST_STATES.includes(row.state)) return 'late';
  if (outcome.workerType !== undefined && outcome.workerType !== row.worker_type) return 'forged';
  if (
    outcome.status === 'RUNNING' &&
    row.state === 'RUNNING' &&
    row.worker_id === (outcome.workerId ?? null)
  ) {
    return 'duplicate';
  }
  return undefined;
}

/**
 * Applies one worker response (or observed failure) to its row: RUNNING and PROGRESS inform,
 * SUCCESS advances the workflow or ends the request, ERROR and INVALID_CONTENT fail the step.
 * Returns why it was dropped, or undefined when applied.
 */
export function applyOutcome(
  change: RowChange,
  outcome: Outcome,
  context: EngineContext,
  effects: Effects,
): DropReason | undefined {
  const fenced = fence(change, outcome);
  if (fenced) return fenced;
  const { row } = change;
  if (row.state !== 'TO_DISPATCH') return answer(change, outcome, context, effects);
  // The worker answered before the job was recorded DISPATCHED (the record waits
  // WM_DISPATCHED_AFTER_MS): the job was dispatched all the same. Its GRANTED goes first, unless
  // the answer ended the request: then the terminal event tells the requester at the same
  // moment, and lean events (design 5.3) spare the notification, as the SDK spares a short
  // job's RUNNING. With every job recorded at its confirm (0) every GRANTED is sent, as in v1.
  const granted = eventOf(row, 'GRANTED', { messages: [] });
  const eventsBefore = effects.events.length;
  const terminalBefore = effects.terminal.length;
  change.move('DISPATCHED');
  const dropped = answer(change, outcome, context, effects);
  // A graph step's own end reaches no requester: its request goes on, so its GRANTED stays.
  const ended = effects.terminal.slice(terminalBefore).some((pending) => !pending.graphStep);
  if (context.grantAnsweredJobs === true || !ended) {
    effects.events.splice(eventsBefore, 0, granted);
  }
  return dropped;
}

/** The answer itself, to a row its worker holds (the early GRANTED settled by the caller). */
function answer(
  change: RowChange,
  outcome: Outcome,
  context: EngineContext,
  effects: Effects,
): DropReason | undefined {
  const { row } = change;
  // A worker has the job: the request's own deadline no longer applies to it.
  row.start_by = null;
  switch (outcome.status) {
    case 'RUNNING':
      change.move('RUNNING');
      row.worker_id = outcome.workerId ?? row.worker_id;
      effects.events.push(eventOf(row, 'RUNNING', { messages: [] }));
      return undefined;
    case 'PROGRESS':
      if (row.state !== 'RUNNING') {
        change.move('RUNNING');
        row.worker_id = outcome.workerId ?? row.worker_id;
      }
      effects.events.push(
        eventOf(row, 'PROGRESS', {
          progress: outcome.progress,
          messages: [],
          workerId: outcome.workerId,
        }),
      );
      return undefined;
    case 'SUCCESS':
      if (outcome.body.length > context.maxPayloadBytes) {
        return fail(
          change,
          {
            ...outcome,
            status: 'ERROR',
            retryable: false,
            messages: [
              `the worker's output is ${outcome.body.length} bytes, over the limit of ${context.maxPayloadBytes} bytes (WM_MAX_PAYLOAD_BYTES)`,
            ],
          },
          context,
          effects,
        )
          ? undefined
          : 'forbidden';
      }
      return succeed(change, outcome, context, effects) ? undefined : 'forbidden';
    default:
      return fail(change, outcome, context, effects) ? undefined : 'forbidden';
  }
}

/** SUCCESS of a step: the next step waits for its worker type, or the request ends. */
function succeed(
  change: RowChange,
  outcome: Outcome,
  context: EngineContext,
  effects: Effects,
): boolean {
  const { row } = change;
  const outputType = context.outputContentType(
    row.worker_type,
    outcome.contentType,
    row.input_content_type,
  );
  const meta = { ...row.meta, ...outcome.meta };
  // A graph step's row ends at its own SUCCESS: what follows is decided by engine/graph.
  if (row.step + 1 < row.steps.length && !isStepRow(row)) {
    row.step += 1;
    row.worker_type = row.steps[row.step]!;
    row.input_content_type = outputType;
    row.input_mime = outcome.mimeType ?? null;
    row.meta = meta;
    row.messages = [];
    row.cycle_attempts = 0;
    row.not_before = null;
    change.input = outcome.body;
    wait(change, context, effects);
    return true;
  }
  if (!canTransition(row.state, 'SUCCESS')) return false;
  change.move('SUCCESS');
  if (outcome.workerId) row.worker_id = outcome.workerId;
  row.meta = meta;
  row.messages = [...outcome.messages];
  effects.terminal.push(
    eventOf(row, 'SUCCESS', {
      contentType: outputType,
      mimeType: outcome.mimeType,
      body: outcome.body,
      messages: outcome.messages,
      meta,
    }),
  );
  // A graph step's output is kept until its request ends: later steps and the result read it.
  if (context.failurePolicy(row).keepSuccess || isStepRow(row)) {
    change.output = {
      body: outcome.body,
      contentType: outputType,
      mimeType: outcome.mimeType ?? null,
    };
  } else {
    change.finish();
  }
  return true;
}
