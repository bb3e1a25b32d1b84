import { assertTransition, NEW } from '@org/protocol';
import { type EngineContext } from './engine-context';
import { type Effects, eventOf } from './effects';
import { type RequestRow } from './request-row';
import { waitingReason, waitingState } from './waiting';

/** Why a request cannot be admitted even though it is well formed. */
export function admissionRefusal(row: RequestRow, context: EngineContext): string | undefined {
  if (row.start_by !== null && row.start_by.getTime() <= context.now)
    return `deadline passed: the request's wm-deadline ${row.start_by.toISOString()} is not in the future`;
  if (row.start_by !== null && row.not_before !== null && row.not_before >= row.start_by)
    return `wm-not-before ${row.not_before.toISOString()} is not before wm-deadline ${row.start_by.toISOString()}: it could never run`;
  return undefined;
}

/**
 * The first state of a new request (design 5.1): SCHEDULED (event SCHEDULED) until its
 * not-before time, NO_WORKER_AVAILABLE (event DELAYED) while its first worker type has no live
 * instance, else QUEUED (no event; its type's dispatcher is woken and GRANTED follows).
 */
export function admit(row: RequestRow, context: EngineContext, effects: Effects): void {
  const state = waitingState(row, context);
  assertTransition(NEW, state);
  row.state = state;
  row.fair_key = context.fairKey(row);
  if (state === 'QUEUED') {
    effects.wake.add(row.worker_type);
    return;
  }
  const messages = [waitingReason(row, state) ?? ''];
  effects.events.push(eventOf(row, state === 'SCHEDULED' ? 'SCHEDULED' : 'DELAYED', { messages }));
}
