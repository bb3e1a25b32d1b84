import { canTransition, WAITING_REQUEST_STATES, type RequestState } from '@org/protocol';
import { type EngineContext } from './engine-context';
import { isStepRow } from './graph-rows';
import { type Effects, eventOf } from './effects';
import { type RequestRow } from './request-row';
import { type RowChange } from './row-change';

/**
 * Where a request waits for its current step's worker type (design 5.1): `SCHEDULED` until its
 * not-before time, `NO_WORKER_AVAILABLE` while no live instance exists, else `QUEUED` until the
 * type's dispatch window has room.
 */
export function waitingState(row: RequestRow, context: EngineContext): RequestState {
  if (row.not_before !== null && row.not_before.getTime() > context.now) return 'SCHEDULED';
  return context.isAvailable(row.worker_type) ? 'QUEUED' : 'NO_WORKER_AVAILABLE';
}

/** Why a request waits, for its requester (DELAYED and SCHEDULED events) and operators. */
export function waitingReason(row: RequestRow, state: RequestState): string | undefined {
  const step = row.steps.length > 1 ? `step ${row.step} (${row.worker_type})` : 'the request';
  switch (state) {
    case 'SCHEDULED':
      return `${step} is scheduled for ${row.not_before?.toISOString() ?? 'later'}`;
    case 'NO_WORKER_AVAILABLE':
      return `no ${row.worker_type} worker is available; ${step} waits for one`;
    default:
      return undefined;
  }
}

/**
 * Puts a row to wait for its current step, telling the requester what it is owed: SCHEDULED
 * for a requested schedule, DELAYED for a missing worker or a retry backoff (`delayed`), nothing
 * for QUEUED (GRANTED follows at dispatch, as in v1). A QUEUED row wakes its type's dispatcher.
 */
export function wait(
  change: RowChange,
  context: EngineContext,
  effects: Effects,
  options: { readonly delayedNote?: string; readonly announce?: boolean } = {},
): void {
  const { row } = change;
  const state = waitingState(row, context);
  change.move(state);
  row.worker_id = null;
  row.fair_key = context.fairKey(row);
  if (state === 'QUEUED') {
    effects.wake.add(row.worker_type);
    return;
  }
  if (options.announce === false) return;
  const reason = waitingReason(row, state);
  const messages = [options.delayedNote, reason].filter((text): text is string => !!text);
  if (state === 'SCHEDULED' && options.delayedNote === undefined)
    effects.events.push(eventOf(row, 'SCHEDULED', { messages }));
  else effects.events.push(eventOf(row, 'DELAYED', { messages }));
}

/** A SCHEDULED row whose time has come: it waits for a worker or a window slot now. */
export function scheduleDue(change: RowChange, context: EngineContext, effects: Effects): boolean {
  const { row } = change;
  if (row.state !== 'SCHEDULED') return false;
  if (row.not_before !== null && row.not_before.getTime() > context.now) return false;
  row.not_before = null;
  wait(change, context, effects);
  return true;
}

/**
 * A waiting row whose `wm-deadline` passed before any worker started it: `ERROR` "deadline
 * passed", kept or deleted by the failure policy. Returns false when it does not apply.
 */
export function expireStartBy(
  change: RowChange,
  context: EngineContext,
  effects: Effects,
): boolean {
  const { row } = change;
  if (row.start_by === null || row.start_by.getTime() > context.now) return false;
  if (!WAITING_REQUEST_STATES.includes(row.state) || !canTransition(row.state, 'ERROR'))
    return false;
  change.move('ERROR');
  row.messages = [
    `deadline passed: no worker started the request by ${row.start_by.toISOString()}`,
  ];
  row.not_before = null;
  effects.terminal.push(eventOf(row, 'ERROR'));
  if (!context.failurePolicy(row).keepErrors && !isStepRow(row)) change.finish();
  return true;
}
