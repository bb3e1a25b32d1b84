import { type RequestState, type EventState, type TransitionSource } from '@org/protocol';
import { admit } from '../../src/requests/engine/admit';
import { claim, redispatch, redispatchAlone } from '../../src/requests/engine/dispatch';
import { type DropReason } from '../../src/requests/engine/drop-reason';
import { type Effects } from '../../src/requests/engine/effects';
import { type EngineContext } from '../../src/requests/engine/engine-context';
import { timeOut } from '../../src/requests/engine/failures';
import { cancel, retry, unroute } from '../../src/requests/engine/operations';
import { type Outcome } from '../../src/requests/engine/outcome';
import { type RequestRow } from '../../src/requests/engine/request-row';
import { applyOutcome } from '../../src/requests/engine/responses';
import { RowChange } from '../../src/requests/engine/row-change';
import { expireStartBy, scheduleDue } from '../../src/requests/engine/waiting';
import { type contextOf, NOW, outcomeOf } from './engine-fixtures';

/*
 * The pieces of the transition scenarios (transition-scenarios.ts): what a scenario is, and the
 * engine calls it makes, each as the service that makes it calls it, refusals turned into errors.
 */

export type ContextOptions = NonNullable<Parameters<typeof contextOf>[0]>;

/** What a scenario's engine call works on: a row in the scenario's `from` state. */
export interface Subject {
  /** Over the row (for NEW, the row as intake builds it before admitting it). */
  readonly change: RowChange;
  readonly context: EngineContext;
  readonly effects: Effects;
}

/** Runs the engine; returns the change that claimed the row when a claim followed. */
export type Run = (subject: Subject) => RowChange | void;

/** One transition of the table and the engine call(s) that make it. */
export interface TransitionScenario {
  readonly from: TransitionSource;
  readonly to: RequestState;
  /** The engine function and the inputs that lead it there. */
  readonly via: string;
  readonly row?: Partial<RequestRow>;
  readonly context?: ContextOptions;
  readonly run: Run;
  /** Informational events the requester is sent, in order. */
  readonly events: readonly EventState[];
  /** Terminal events (staged in the outbox). */
  readonly terminal?: readonly EventState[];
  /** Cancel orders for a job that may be outstanding. */
  readonly cancelOrders?: number;
  /**
   * Set when no single engine call makes the pair: the decision leaves the row QUEUED and the
   * same transaction claims it (ChangeCommitter.commit → Dispatcher.claimInTx), so the row goes
   * from `from` to TO_DISPATCH in one commit, through two legal steps.
   */
  readonly composed?: string;
}

export const PAST = new Date(NOW - 1);
export const LATER = new Date(NOW + 60_000);
/** A single worker type's request: its answer ends it. */
export const LAST_STEP: Partial<RequestRow> = { workflow: null, steps: ['mover'] };
export const MOVER_GONE: ContextOptions = { unavailable: ['mover'] };
export const RETRIES: ContextOptions = { retry: { maxAttempts: 3 } };
export const BACKOFF: ContextOptions = { retry: { maxAttempts: 3, backoffMs: 1000 } };

function done(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${what} refused the row`);
}

function allowed(refusal: readonly RequestState[] | undefined, what: string): void {
  if (refusal) throw new Error(`${what} refused the row (allowed from ${refusal.join(', ')})`);
}

function applied(dropped: DropReason | undefined): void {
  if (dropped) throw new Error(`the engine dropped the answer (${dropped})`);
}

export const byAdmit: Run = ({ change, context, effects }) => admit(change.row, context, effects);
export const byClaim: Run = ({ change }) => done(claim(change), 'claim');
export const byRedispatch: Run = ({ change }) => done(redispatch(change), 'redispatch');
export const byRedispatchAlone: Run = ({ change }) =>
  done(redispatchAlone(change, change.row.attempt), 'redispatchAlone');
export const byRetry: Run = ({ change, context, effects }) =>
  allowed(retry(change, context, effects), 'retry');
export const byCancel: Run = ({ change, effects }) =>
  allowed(cancel(change, 'stop', effects), 'cancel');
export const byUnroute: Run = ({ change, effects }) => done(unroute(change, effects), 'unroute');
export const byTimeOut: Run = ({ change, context, effects }) =>
  done(timeOut(change, context, effects), 'timeOut');
export const byExpiry: Run = ({ change, context, effects }) =>
  done(expireStartBy(change, context, effects), 'expireStartBy');
export const byScheduleDue: Run = ({ change, context, effects }) =>
  done(scheduleDue(change, context, effects), 'scheduleDue');
export const byAnswer =
  (status: Outcome['status'], overrides: Partial<Outcome> = {}): Run =>
  ({ change, context, effects }) =>
    applied(applyOutcome(change, outcomeOf(status, overrides), context, effects));

/** The decision, then the dispatcher's claim of the row it left QUEUED, as one commit does. */
export const thenClaim =
  (decide: Run): Run =>
  (subject) => {
    decide(subject);
    // The dispatcher reloads the row it claims: a change of its own, as in claimInTx.
    const claimed = new RowChange(subject.change.row);
    done(claim(claimed), 'claim');
    return claimed;
  };
