import { REQUEST_STATES, RETRYABLE_REQUEST_STATES } from '@org/protocol';
import { Effects } from '../../src/requests/engine/effects';
import { cancel, CANCELLABLE_STATES, retry, unroute } from '../../src/requests/engine/operations';
import { changeOf, contextOf, NOW, OUTSTANDING, WAITING } from './engine-fixtures';

describe('engine: operator retry', () => {
  it.each(['ERROR', 'INVALID_CONTENT', 'CANCELLED'] as const)(
    'starts a new cycle from %s at the failed step',
    (state) => {
      const change = changeOf({
        state,
        step: 1,
        worker_type: 'extractor',
        cycle_attempts: 3,
        messages: ['boom'],
        start_by: new Date(NOW - 10),
      });
      const effects = new Effects();
      expect(retry(change, contextOf(), effects)).toBeUndefined();
      expect(change.row).toMatchObject({
        state: 'QUEUED',
        step: 1,
        cycle_attempts: 0,
        messages: [],
        start_by: null,
      });
      expect([...effects.wake]).toEqual(['extractor']);
    },
  );

  it('a scheduled request is dispatched without waiting for its time', () => {
    const change = changeOf({ state: 'SCHEDULED', not_before: new Date(NOW + 60_000) });
    retry(change, contextOf(), new Effects());
    expect(change.row).toMatchObject({ state: 'QUEUED', not_before: null });
  });

  it('refuses what is running or succeeded, naming the states that allow it', () => {
    const refused = REQUEST_STATES.filter(
      (state) => retry(changeOf({ state }), contextOf(), new Effects()) !== undefined,
    );
    expect(refused).toEqual(['TO_DISPATCH', 'DISPATCHED', 'RUNNING', 'SUCCESS']);
    expect(retry(changeOf({ state: 'RUNNING' }), contextOf(), new Effects())).toEqual(
      RETRYABLE_REQUEST_STATES,
    );
  });
});

describe('engine: cancel', () => {
  it.each(OUTSTANDING)('cancels %s and orders the job cancelled for its attempt', (state) => {
    const change = changeOf({ state, attempt: 3, worker_id: 'mover-a' });
    const effects = new Effects();
    expect(cancel(change, 'stop', effects)).toBeUndefined();
    expect(change.row).toMatchObject({ state: 'CANCELLED', messages: ['stop'] });
    expect(effects.terminal.map((pending) => pending.event.state)).toEqual(['CANCELLED']);
    expect(effects.cancels).toEqual([
      { requestId: 'r-1', attempt: 3, workerType: 'mover', workerId: 'mover-a', reason: 'stop' },
    ]);
  });

  it.each(WAITING)('cancels %s without any order (no job is out)', (state) => {
    const effects = new Effects();
    cancel(changeOf({ state }), 'stop', effects);
    expect(effects.cancels).toEqual([]);
    expect(effects.terminal).toHaveLength(1);
  });

  it('refuses a request that already ended', () => {
    const refused = REQUEST_STATES.filter(
      (state) => cancel(changeOf({ state }), 'stop', new Effects()) !== undefined,
    );
    expect(refused).toEqual(['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED']);
    expect(CANCELLABLE_STATES).toHaveLength(6);
  });
});

describe('engine: unroutable job', () => {
  it('returns the request to waiting, not counting the dispatch', () => {
    const change = changeOf({ state: 'DISPATCHED', cycle_attempts: 2 });
    const effects = new Effects();
    expect(unroute(change, effects)).toBe(true);
    expect(change.row).toMatchObject({ state: 'NO_WORKER_AVAILABLE', cycle_attempts: 1 });
    expect(effects.events.map((pending) => pending.event.state)).toEqual(['DELAYED']);
    expect(unroute(changeOf({ state: 'ERROR' }), new Effects())).toBe(false);
  });
});
