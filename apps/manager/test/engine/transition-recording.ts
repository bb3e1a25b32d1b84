import {
  assertTransition,
  canTransition,
  REQUEST_TRANSITIONS,
  type RequestState,
  type TransitionSource,
} from '@org/protocol';

/**
 * Records the engine's state changes. Every one of them passes through the protocol's
 * `assertTransition` (RowChange.move, and admit for a new request), so a test file that wants the
 * record replaces it with a pass-through spy (jest.mock, hoisted above every import, as in
 * transition-coverage.test.ts); the check itself stays the protocol's own.
 */

export type Pair = readonly [TransitionSource, RequestState];

export const pairKey = ([from, to]: Pair): string => `${from} -> ${to}`;

/** Every (from, to) pair of the protocol's transition table, as `FROM -> TO` keys, sorted. */
export function tablePairs(): string[] {
  return Object.entries(REQUEST_TRANSITIONS)
    .flatMap(([from, targets]) => targets.map((to) => pairKey([from as TransitionSource, to])))
    .sort();
}

/** Forgets what was recorded so far (call before each engine call under test). */
export function resetSteps(): void {
  spy().mockClear();
}

/** The state changes the engine asserted since the last reset, in order. */
export function recordedSteps(): Pair[] {
  return spy().mock.calls.map(([from, to]): Pair => [from, to]);
}

/**
 * Why `steps` do not explain a change from `from` to `to`, or undefined when they do: each step
 * allowed by the table, the first leaving `from`, each starting where the previous one ended, the
 * last ending in `to`. A state written without an asserted step (a bypass of the table) breaks
 * the chain, and so does a step that was asserted but not applied.
 */
export function chainProblem(
  from: TransitionSource,
  to: RequestState,
  steps: readonly Pair[],
): string | undefined {
  const shown = steps.map(pairKey).join(', ') || 'no step';
  const forbidden = steps.find(([a, b]) => !canTransition(a, b));
  if (forbidden) return `step ${pairKey(forbidden)} is not in the table (${shown})`;
  if (steps.length === 0) return from === to ? undefined : `${from} became ${to} with no step`;
  let at: TransitionSource = from;
  for (const [a, b] of steps) {
    if (a !== at) return `a step leaves ${a} while the row was ${at} (${shown})`;
    at = b;
  }
  return at === to ? undefined : `the steps end in ${at} but the row is ${to} (${shown})`;
}

function spy(): jest.MockedFunction<typeof assertTransition> {
  const recorder = jest.mocked(assertTransition);
  if (!jest.isMockFunction(recorder))
    throw new Error(
      "assertTransition is not recorded: jest.mock('@org/protocol') in the test file",
    );
  return recorder;
}
