import { REQUEST_STATES } from '@org/protocol';
import { redispatchAlone } from '../../src/requests/engine/dispatch';
import { changeOf } from './engine-fixtures';

describe('engine: redispatchAlone (a job of a dead-lettered job batch)', () => {
  it.each(['TO_DISPATCH', 'DISPATCHED', 'RUNNING'] as const)(
    'dispatches a current %s job again under a new attempt, claimed, without counting a cycle attempt',
    (state) => {
      const change = changeOf({ state, attempt: 3, cycle_attempts: 2, worker_id: 'w1' });
      expect(redispatchAlone(change, 3)).toBe(true);
      expect(change.row.state).toBe('TO_DISPATCH');
      expect(change.row.attempt).toBe(4);
      expect(change.row.cycle_attempts).toBe(2);
      expect(change.row.worker_id).toBeNull();
      expect(change.claimed).toBe(true);
    },
  );

  it('leaves a job of another attempt alone: the batch carried a copy already superseded', () => {
    const change = changeOf({ state: 'DISPATCHED', attempt: 4 });
    expect(redispatchAlone(change, 3)).toBe(false);
    expect(change.row.attempt).toBe(4);
    expect(change.claimed).toBe(false);
  });

  it.each(
    REQUEST_STATES.filter((state) => !['TO_DISPATCH', 'DISPATCHED', 'RUNNING'].includes(state)),
  )('leaves a %s request alone: it is not outstanding', (state) => {
    const change = changeOf({ state, attempt: 3 });
    expect(redispatchAlone(change, 3)).toBe(false);
    expect(change.row.state).toBe(state);
  });
});
