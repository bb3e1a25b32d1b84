// Every state change of the engine is recorded: assertTransition stays the real check, spied on.
jest.mock('@org/protocol', () => {
  const actual = jest.requireActual<typeof Protocol>('@org/protocol');
  return { ...actual, assertTransition: jest.fn(actual.assertTransition) };
});

import type * as Protocol from '@org/protocol';
import {
  INFORMATIONAL_EVENT_STATES,
  NEW,
  RESPONSE_STATUSES,
  TERMINAL_EVENT_STATES,
} from '@org/protocol';
import { Effects } from '../../src/requests/engine/effects';
import { applyOutcome } from '../../src/requests/engine/responses';
import { RowChange } from '../../src/requests/engine/row-change';
import { changeOf, contextOf, outcomeOf, rowOf } from './engine-fixtures';
import {
  chainProblem,
  pairKey,
  recordedSteps,
  resetSteps,
  tablePairs,
} from './transition-recording';
import {
  NOT_MADE_BY_THE_ENGINE,
  type TransitionScenario,
  TRANSITION_SCENARIOS,
} from './transition-scenarios';

const keyOf = (scenario: { from: TransitionScenario['from']; to: TransitionScenario['to'] }) =>
  pairKey([scenario.from, scenario.to]);
const statesOf = (pending: Effects['events']) => pending.map(({ event }) => event.state);

describe('engine: the transition table and its scenarios', () => {
  it('has one scenario per pair of REQUEST_TRANSITIONS, or a reason the engine never makes it', () => {
    const scenarios = TRANSITION_SCENARIOS.map(keyOf);
    const unmade = NOT_MADE_BY_THE_ENGINE.map(keyOf);
    // A pair twice would hide a missing one behind the count.
    expect(scenarios.filter((pair, index) => scenarios.indexOf(pair) !== index)).toEqual([]);
    expect(unmade.filter((pair) => scenarios.includes(pair))).toEqual([]);
    // A pair added to the protocol without a scenario fails here, and so does a scenario (or an
    // excuse) for a pair the protocol forbids.
    expect([...scenarios, ...unmade].sort()).toEqual(tablePairs());
  });

  it('the pairs the engine never makes are exactly these, each for a stated reason', () => {
    expect(NOT_MADE_BY_THE_ENGINE.map(keyOf).sort()).toEqual([
      'CANCELLED -> SCHEDULED',
      'ERROR -> SCHEDULED',
      'INVALID_CONTENT -> SCHEDULED',
      'NO_WORKER_AVAILABLE -> SCHEDULED',
      'QUEUED -> SCHEDULED',
      'SCHEDULED -> SCHEDULED',
      'TO_DISPATCH -> DISPATCHED',
    ]);
    for (const unmade of NOT_MADE_BY_THE_ENGINE) expect(unmade.reason).not.toBe('');
  });
});

describe('engine: every transition it makes', () => {
  it.each(
    TRANSITION_SCENARIOS.map((scenario) => [keyOf(scenario), scenario.via, scenario] as const),
  )('%s: %s', (_pair, _via, scenario) => {
    const { from, to } = scenario;
    // A new request is built QUEUED by intake, never dispatched (attempt 0), then admitted.
    const row = rowOf(
      from === NEW
        ? { state: 'QUEUED', attempt: 0, cycle_attempts: 0, ...scenario.row }
        : { state: from, ...scenario.row },
    );
    const change = new RowChange(row);
    const effects = new Effects();
    const attempt = row.attempt;
    resetSteps();
    const claimed = scenario.run({ change, context: contextOf(scenario.context), effects });
    const steps = recordedSteps();

    expect(row.state).toBe(to);
    // Every step was asserted against the table, and they explain the whole change.
    expect(chainProblem(from, to, steps)).toBeUndefined();
    if (from !== NEW) {
      expect(change.before).toBe(from);
      expect(change.write).not.toBe('none');
    }
    expect(statesOf(effects.events)).toEqual(scenario.events);
    expect(statesOf(effects.terminal)).toEqual(scenario.terminal ?? []);
    // Best-effort events only inform; a cycle's end goes through the outbox.
    for (const state of statesOf(effects.events))
      expect(INFORMATIONAL_EVENT_STATES).toContain(state);
    for (const state of statesOf(effects.terminal)) expect(TERMINAL_EVENT_STATES).toContain(state);
    for (const pending of [...effects.events, ...effects.terminal])
      expect(pending.event.requestId).toBe(row.id);
    expect(effects.cancels).toHaveLength(scenario.cancelOrders ?? 0);
    if (to === 'QUEUED') expect([...effects.wake]).toContain(row.worker_type);
    if (to === 'TO_DISPATCH') {
      // A dispatch is a new attempt: the fence that makes answers to older copies stale.
      expect(row.attempt).toBe(attempt + 1);
      expect((claimed ?? change).claimed).toBe(true);
    }
    if (scenario.composed) {
      expect(to).toBe('TO_DISPATCH');
      expect(steps.map(pairKey)).toContain('QUEUED -> TO_DISPATCH');
      expect(claimed).toBeInstanceOf(RowChange);
    } else {
      expect(claimed).toBeUndefined();
    }
  });
});

describe('engine: TO_DISPATCH -> DISPATCHED', () => {
  // The pair is persisted by the dispatcher's SQL at the broker's confirm, never left by an
  // engine call; the engine takes it as the first step of an answer that beat the confirm.
  it.each(RESPONSE_STATUSES)('is the first step of an early %s', (status) => {
    const change = changeOf({ state: 'TO_DISPATCH' });
    const effects = new Effects();
    resetSteps();
    expect(
      applyOutcome(change, outcomeOf(status, { progress: 1 }), contextOf(), effects),
    ).toBeUndefined();
    expect(recordedSteps()[0]).toEqual(['TO_DISPATCH', 'DISPATCHED']);
    expect(change.row.state).not.toBe('DISPATCHED');
  });

  it.each(RESPONSE_STATUSES)(
    'sends GRANTED first for an early %s when every job is granted (WM_DISPATCHED_AFTER_MS=0)',
    (status) => {
      const change = changeOf({ state: 'TO_DISPATCH' });
      const effects = new Effects();
      const context = contextOf({ grantAnsweredJobs: true });
      applyOutcome(change, outcomeOf(status, { progress: 1 }), context, effects);
      expect(statesOf(effects.events)[0]).toBe('GRANTED');
    },
  );
});
