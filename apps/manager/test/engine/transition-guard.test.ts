// Every state change of the engine is recorded: assertTransition stays the real check, spied on.
jest.mock('@org/protocol', () => {
  const actual = jest.requireActual<typeof Protocol>('@org/protocol');
  return { ...actual, assertTransition: jest.fn(actual.assertTransition) };
});

import type * as Protocol from '@org/protocol';
import {
  assertTransition,
  canTransition,
  ForbiddenTransitionError,
  NEW,
  REQUEST_STATES,
  type RequestState,
  TERMINAL_REQUEST_STATES,
} from '@org/protocol';
import { admit } from '../../src/requests/engine/admit';
import { claim, redispatch, redispatchAlone } from '../../src/requests/engine/dispatch';
import { Effects } from '../../src/requests/engine/effects';
import { type EngineContext } from '../../src/requests/engine/engine-context';
import { timeOut } from '../../src/requests/engine/failures';
import { cancel, retry, unroute } from '../../src/requests/engine/operations';
import { type Outcome } from '../../src/requests/engine/outcome';
import { type RequestRow } from '../../src/requests/engine/request-row';
import { applyOutcome } from '../../src/requests/engine/responses';
import { RowChange } from '../../src/requests/engine/row-change';
import { expireStartBy, scheduleDue, wait } from '../../src/requests/engine/waiting';
import { contextOf, NOW, outcomeOf, rowOf } from './engine-fixtures';
import {
  chainProblem,
  pairKey,
  recordedSteps,
  resetSteps,
  tablePairs,
} from './transition-recording';
import { type ContextOptions, TRANSITION_SCENARIOS } from './transition-scenarios';

/** An engine entry point as a service calls it, and the states its rows can be in. */
interface Entry {
  readonly name: string;
  readonly states: readonly RequestState[];
  readonly run: (change: RowChange, context: EngineContext, effects: Effects) => unknown;
}

const ANSWERS: readonly Outcome[] = [
  outcomeOf('RUNNING'),
  outcomeOf('RUNNING', { workerId: 'mover-b' }),
  outcomeOf('PROGRESS', { progress: 50 }),
  outcomeOf('SUCCESS'),
  outcomeOf('SUCCESS', { body: Buffer.alloc(2048) }),
  outcomeOf('ERROR'),
  outcomeOf('ERROR', { retryable: true }),
  outcomeOf('INVALID_CONTENT'),
  outcomeOf('SUCCESS', { attempt: 2 }),
  outcomeOf('SUCCESS', { workerType: 'extractor' }),
];

const ENTRIES: readonly Entry[] = [
  { name: 'claim', states: REQUEST_STATES, run: (change) => claim(change) },
  {
    // The sweeper's statement selects TO_DISPATCH rows whose lease expired; wait() itself does
    // not check the state, so it is called on those only, as in SweeperService.republishExpired.
    name: 'lease expiry',
    states: ['TO_DISPATCH'],
    run: (change, context, effects) =>
      context.isAvailable(change.row.worker_type)
        ? redispatch(change)
        : wait(change, context, effects),
  },
  {
    name: 'redispatchAlone',
    states: REQUEST_STATES,
    run: (change) => redispatchAlone(change, change.row.attempt),
  },
  { name: 'scheduleDue', states: REQUEST_STATES, run: scheduleDue },
  { name: 'expireStartBy', states: REQUEST_STATES, run: expireStartBy },
  { name: 'timeOut', states: REQUEST_STATES, run: timeOut },
  {
    name: 'unroute',
    states: REQUEST_STATES,
    run: (change, _context, effects) => unroute(change, effects),
  },
  { name: 'retry', states: REQUEST_STATES, run: retry },
  {
    name: 'cancel',
    states: REQUEST_STATES,
    run: (change, _c, effects) => cancel(change, 'stop', effects),
  },
  ...ANSWERS.map((answer, index): Entry => ({
    name: `applyOutcome #${index} ${answer.status}`,
    states: REQUEST_STATES,
    run: (change, context, effects) => applyOutcome(change, answer, context, effects),
  })),
];

function product<T>(...axes: ReadonlyArray<ReadonlyArray<Partial<T>>>): Array<Partial<T>> {
  return axes.reduce<Array<Partial<T>>>(
    (acc, axis) => acc.flatMap((left) => axis.map((right) => ({ ...left, ...right }))),
    [{}],
  );
}

const times = [null, new Date(NOW - 1), new Date(NOW + 60_000)];
/** Rows as varied as the decisions read them: last step or not, schedules, deadlines, holder. */
const ROWS = product<RequestRow>(
  [{}, { workflow: null, steps: ['mover'] }],
  times.map((not_before) => ({ not_before })),
  times.map((start_by) => ({ start_by })),
  [{ worker_id: null }, { worker_id: 'mover-a' }],
  [{ timeout_ms: 30_000 }],
);
const CONTEXTS = product<ContextOptions>(
  [{}, { unavailable: ['mover'] }, { unavailable: ['extractor'] }],
  [{}, { retry: { maxAttempts: 3 } }, { retry: { maxAttempts: 3, backoffMs: 1000 } }],
  [{}, { policy: { keepErrors: false, keepSuccess: true } }],
).map((options) => ({ options, context: contextOf(options) }));

/**
 * Checks one engine call on a row in `from`: whatever it decides, every step is asserted and
 * allowed, the steps explain the row's new state, a changed row is written, and a cycle that
 * ended has exactly one terminal event, of its state. Returns the problem and the pair made.
 */
function check(
  from: RequestState | typeof NEW,
  row: RequestRow,
  change: RowChange,
  effects: Effects,
  run: () => unknown,
): { problem?: string; pair?: string } {
  resetSteps();
  try {
    run();
  } catch (error) {
    return { problem: `threw ${String(error)}` };
  }
  const steps = recordedSteps();
  const problem = chainProblem(from, row.state, steps);
  if (problem) return { problem };
  if (steps.length === 0) return {};
  if (from !== NEW && change.write === 'none') return { problem: 'changed but not written' };
  const ended = TERMINAL_REQUEST_STATES.includes(row.state) ? [row.state] : [];
  const terminal = effects.terminal.map(({ event }) => event.state);
  if (terminal.join() !== ended.join())
    return { problem: `ended ${row.state} with terminal events [${terminal.join()}]` };
  return { pair: pairKey([from, row.state]) };
}

/** Every entry point on every state it can meet, over every row and context variant. */
function sweep(): { made: Set<string>; problems: string[]; calls: number } {
  const made = new Set<string>();
  const problems: string[] = [];
  let calls = 0;
  const record = (name: string, variant: object, result: { problem?: string; pair?: string }) => {
    calls += 1;
    if (result.pair) made.add(result.pair);
    if (result.problem) problems.push(`${name} ${JSON.stringify(variant)}: ${result.problem}`);
  };
  for (const overrides of ROWS) {
    for (const { options, context } of CONTEXTS) {
      // Intake builds a new row QUEUED, never dispatched, and admits it.
      const row = rowOf({ ...overrides, state: 'QUEUED', attempt: 0, cycle_attempts: 0 });
      const effects = new Effects();
      const change = new RowChange(row);
      record(
        'admit',
        { overrides, options },
        check(NEW, row, change, effects, () => admit(row, context, effects)),
      );
      for (const entry of ENTRIES) {
        for (const state of entry.states) {
          const row = rowOf({ ...overrides, state });
          const change = new RowChange(row);
          const effects = new Effects();
          record(
            entry.name,
            { state, overrides, options },
            check(state, row, change, effects, () => entry.run(change, context, effects)),
          );
        }
      }
    }
  }
  return { made, problems, calls };
}

describe('engine: nothing outside the transition table', () => {
  let result: ReturnType<typeof sweep>;
  beforeAll(() => {
    result = sweep();
  });

  it('no engine call moves a row outside the table, or without asserting the move', () => {
    expect(result.calls).toBeGreaterThan(100_000);
    expect(result.problems.slice(0, 10)).toEqual([]);
  });

  it('single calls make exactly the scenario pairs that are not composed', () => {
    // So the pairs listed as never made (and those only a commit composes) are truly not made
    // by any one call, and a new path to one of them shows up here.
    const single = TRANSITION_SCENARIOS.filter((scenario) => !scenario.composed).map((scenario) =>
      pairKey([scenario.from, scenario.to]),
    );
    expect([...result.made].sort()).toEqual(single.sort());
  });

  it.each(REQUEST_STATES)('a move from %s the table forbids throws and changes nothing', (from) => {
    for (const to of REQUEST_STATES) {
      const change = new RowChange(rowOf({ state: from }));
      if (canTransition(from, to)) {
        change.move(to);
        expect(change.row.state).toBe(to);
        continue;
      }
      expect(() => change.move(to)).toThrow(ForbiddenTransitionError);
      expect(change.row.state).toBe(from);
      expect(change.write).toBe('none');
    }
  });

  it('a new request can only start in a state the table allows from NEW', () => {
    const allowed = REQUEST_STATES.filter((to) => {
      try {
        assertTransition(NEW, to);
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(ForbiddenTransitionError);
        return false;
      }
    });
    expect(allowed.map((to) => pairKey([NEW, to])).sort()).toEqual(
      tablePairs()
        .filter((pair) => pair.startsWith(`${NEW} `))
        .sort(),
    );
  });
});
