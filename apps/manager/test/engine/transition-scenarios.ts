import {
  NEW,
  type RequestState,
  type TransitionSource,
  WAITING_REQUEST_STATES,
} from '@org/protocol';
import {
  byAdmit,
  byCancel,
  byClaim,
  byExpiry,
  byRetry,
  byScheduleDue,
  LATER,
  MOVER_GONE,
  PAST,
  thenClaim,
  type TransitionScenario,
} from './transition-runs';
import { OUTSTANDING_SCENARIOS } from './transition-scenarios-outstanding';

export { type ContextOptions, type TransitionScenario } from './transition-runs';

/** The same decisions from each waiting state (an operator's, or the clock's). */
function fromWaiting(from: RequestState): TransitionScenario[] {
  const notBefore = from === 'SCHEDULED' ? LATER : null;
  return [
    {
      from,
      to: 'CANCELLED',
      via: 'cancel (no job is out: no cancel order)',
      row: { not_before: notBefore },
      run: byCancel,
      events: [],
      terminal: ['CANCELLED'],
    },
    {
      from,
      to: 'ERROR',
      via: 'expireStartBy: its wm-deadline passed before any worker started it',
      row: { start_by: PAST, not_before: notBefore },
      run: byExpiry,
      events: [],
      terminal: ['ERROR'],
    },
  ];
}

/** An operator's retry of a finished cycle, from each finished state it allows. */
function fromFinished(from: RequestState): TransitionScenario[] {
  // A stale not-before on purpose: a retry starts at once, whatever the row held.
  const row = { cycle_attempts: 3, messages: ['boom'], not_before: LATER };
  return [
    { from, to: 'QUEUED', via: 'retry (operator)', row, run: byRetry, events: [] },
    {
      from,
      to: 'NO_WORKER_AVAILABLE',
      via: 'retry (operator) while no worker of its type is alive',
      row,
      context: MOVER_GONE,
      run: byRetry,
      events: ['DELAYED'],
    },
    {
      from,
      to: 'TO_DISPATCH',
      via: 'retry (operator), then the claim in the same transaction (RequestsService.retryMany)',
      row,
      run: thenClaim(byRetry),
      events: [],
      composed: 'retry leaves it QUEUED',
    },
  ];
}

/**
 * One scenario per (from, to) pair of REQUEST_TRANSITIONS the engine makes. The pairs it does
 * not make are in {@link NOT_MADE_BY_THE_ENGINE}; the test proves the two lists are the table.
 */
export const TRANSITION_SCENARIOS: readonly TransitionScenario[] = [
  // A new request (intake).
  { from: NEW, to: 'QUEUED', via: 'admit: its type is alive', run: byAdmit, events: [] },
  {
    from: NEW,
    to: 'NO_WORKER_AVAILABLE',
    via: 'admit: no worker of its type is alive',
    context: MOVER_GONE,
    run: byAdmit,
    events: ['DELAYED'],
  },
  {
    from: NEW,
    to: 'SCHEDULED',
    via: 'admit: wm-not-before in the future',
    row: { not_before: LATER },
    run: byAdmit,
    events: ['SCHEDULED'],
  },
  {
    from: NEW,
    to: 'TO_DISPATCH',
    via: 'admit, then the claim in the intake transaction',
    run: thenClaim(byAdmit),
    events: [],
    composed: 'admit leaves it QUEUED',
  },

  // Waiting for a worker.
  { from: 'NO_WORKER_AVAILABLE', to: 'TO_DISPATCH', via: 'claim', run: byClaim, events: [] },
  {
    from: 'NO_WORKER_AVAILABLE',
    to: 'NO_WORKER_AVAILABLE',
    via: 'retry (operator) while still no worker: the requester was told DELAYED already',
    context: MOVER_GONE,
    run: byRetry,
    events: [],
  },
  {
    from: 'NO_WORKER_AVAILABLE',
    to: 'QUEUED',
    via: 'retry (operator); the sweeper relabels in bulk by SQL too (sweep-relabel)',
    run: byRetry,
    events: [],
  },
  ...fromWaiting('NO_WORKER_AVAILABLE'),

  // Waiting for a window slot.
  { from: 'QUEUED', to: 'TO_DISPATCH', via: 'claim', run: byClaim, events: [] },
  {
    from: 'QUEUED',
    to: 'NO_WORKER_AVAILABLE',
    via: 'retry (operator) after its type went away; the sweeper relabels by SQL too',
    context: MOVER_GONE,
    run: byRetry,
    events: ['DELAYED'],
  },
  { from: 'QUEUED', to: 'QUEUED', via: 'retry (operator)', run: byRetry, events: [] },
  ...fromWaiting('QUEUED'),

  // Waiting for its time.
  {
    from: 'SCHEDULED',
    to: 'QUEUED',
    via: 'scheduleDue: its time came',
    row: { not_before: PAST },
    run: byScheduleDue,
    events: [],
  },
  {
    from: 'SCHEDULED',
    to: 'NO_WORKER_AVAILABLE',
    via: 'scheduleDue: its time came, no worker alive',
    row: { not_before: PAST },
    context: MOVER_GONE,
    run: byScheduleDue,
    events: ['DELAYED'],
  },
  {
    from: 'SCHEDULED',
    to: 'TO_DISPATCH',
    via: 'scheduleDue, then the claim in the schedules sweep transaction',
    row: { not_before: PAST },
    run: thenClaim(byScheduleDue),
    events: [],
    composed: 'scheduleDue leaves it QUEUED',
  },
  ...fromWaiting('SCHEDULED'),

  ...OUTSTANDING_SCENARIOS,

  // Finished cycles an operator may retry.
  ...fromFinished('ERROR'),
  ...fromFinished('INVALID_CONTENT'),
  ...fromFinished('CANCELLED'),
];

/** A pair of the table no engine call (nor a commit composing two) makes, and why. */
export interface UnmadeTransition {
  readonly from: TransitionSource;
  readonly to: RequestState;
  readonly reason: string;
}

const NEVER_RESCHEDULED =
  'only a retry backoff (fail, from an outstanding state) or admit sets a future not-before; ' +
  'retry and scheduleDue clear it, so a waiting or finished request never becomes SCHEDULED';

export const NOT_MADE_BY_THE_ENGINE: readonly UnmadeTransition[] = [
  {
    from: 'TO_DISPATCH',
    to: 'DISPATCHED',
    reason:
      "the broker's confirm is recorded by SQL (dispatch.repository.ts, statement dispatch-mark); " +
      'the engine takes this step only on its way further, when a worker answers first',
  },
  ...[
    ...WAITING_REQUEST_STATES,
    'ERROR' as const,
    'INVALID_CONTENT' as const,
    'CANCELLED' as const,
  ].map((from): UnmadeTransition => ({ from, to: 'SCHEDULED', reason: NEVER_RESCHEDULED })),
];
