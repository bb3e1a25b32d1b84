import {
  NEW,
  REQUEST_STATES,
  REQUEST_TRANSITIONS,
  assertTransition,
  canTransition,
  ForbiddenTransitionError,
  stateForResponse,
  RESPONSE_STATUSES,
  type TransitionSource,
} from '../src/index';

const sources: TransitionSource[] = [NEW, ...REQUEST_STATES];

describe('request state transitions', () => {
  it.each(sources.flatMap((from) => REQUEST_STATES.map((to) => [from, to] as const)))(
    '%s → %s is allowed exactly when the table lists it',
    (from, to) => {
      const listed = REQUEST_TRANSITIONS[from].includes(to);
      expect(canTransition(from, to)).toBe(listed);
      if (listed) expect(() => assertTransition(from, to)).not.toThrow();
      else expect(() => assertTransition(from, to)).toThrow(ForbiddenTransitionError);
    },
  );

  it('refuses what the contract forbids', () => {
    expect(canTransition('SUCCESS', 'TO_DISPATCH')).toBe(false);
    expect(canTransition('NO_WORKER_AVAILABLE', 'RUNNING')).toBe(false);
    expect(canTransition('NO_WORKER_AVAILABLE', 'SUCCESS')).toBe(false);
    expect(canTransition('ERROR', 'RUNNING')).toBe(false);
    expect(canTransition('CANCELLED', 'SUCCESS')).toBe(false);
    expect(canTransition(NEW, 'RUNNING')).toBe(false);
    expect(() => assertTransition('ERROR', 'SUCCESS')).toThrow(
      'a request cannot go from ERROR to SUCCESS',
    );
  });

  it('lets a retry start a new cycle from every finished state but SUCCESS', () => {
    for (const state of ['ERROR', 'INVALID_CONTENT', 'CANCELLED'] as const) {
      expect(canTransition(state, 'TO_DISPATCH')).toBe(true);
      expect(canTransition(state, 'NO_WORKER_AVAILABLE')).toBe(true);
    }
  });

  it('maps every response status to a stored state', () => {
    expect(RESPONSE_STATUSES.map(stateForResponse)).toEqual([
      'RUNNING',
      'RUNNING',
      'SUCCESS',
      'ERROR',
      'INVALID_CONTENT',
    ]);
  });
});
