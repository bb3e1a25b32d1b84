import { Effects } from '../../src/requests/engine/effects';
import { timeOut } from '../../src/requests/engine/failures';
import { applyOutcome } from '../../src/requests/engine/responses';
import { changeOf, contextOf, NOW, outcomeOf } from './engine-fixtures';

describe('engine: failures and the retry policy', () => {
  it('an ERROR without retry ends the request, kept by default', () => {
    const change = changeOf();
    const effects = new Effects();
    applyOutcome(change, outcomeOf('ERROR', { messages: ['disk full'] }), contextOf(), effects);
    expect(change.row).toMatchObject({
      state: 'ERROR',
      messages: ['disk full'],
      worker_id: 'mover-a',
    });
    expect(change.write).toBe('update');
    expect(effects.terminal.map((pending) => pending.event.state)).toEqual(['ERROR']);
  });

  it('keepErrors: false deletes it; INVALID_CONTENT gets a default reason', () => {
    const change = changeOf();
    const effects = new Effects();
    applyOutcome(
      change,
      outcomeOf('INVALID_CONTENT'),
      contextOf({ policy: { keepErrors: false } }),
      effects,
    );
    expect(change.row.state).toBe('INVALID_CONTENT');
    expect(change.row.messages).toEqual(['the worker refused the content']);
    expect(change.write).toBe('finish');
  });

  it('a retryable ERROR within maxAttempts and no backoff is queued again at once', () => {
    const change = changeOf({ cycle_attempts: 1 });
    const effects = new Effects();
    applyOutcome(
      change,
      outcomeOf('ERROR', { retryable: true, messages: ['busy'] }),
      contextOf({ retry: { maxAttempts: 3 } }),
      effects,
    );
    expect(change.row.state).toBe('QUEUED');
    expect(change.row.messages).toEqual(['busy', 'attempt 1 of 3 failed; retrying']);
    expect([...effects.wake]).toEqual(['mover']);
    expect(effects.terminal).toEqual([]);
  });

  it('with a backoff it is SCHEDULED, and the requester gets DELAYED with the delay', () => {
    const change = changeOf({ cycle_attempts: 2 });
    const effects = new Effects();
    applyOutcome(
      change,
      outcomeOf('ERROR', { retryable: true }),
      contextOf({ retry: { maxAttempts: 3, backoffMs: 1000, backoffMultiplier: 2 } }),
      effects,
    );
    expect(change.row.state).toBe('SCHEDULED');
    expect(change.row.not_before?.getTime()).toBe(NOW + 2000);
    expect(effects.events.map((pending) => pending.event.state)).toEqual(['DELAYED']);
    expect(effects.events[0]?.event.messages?.[0]).toBe(
      'attempt 2 of 3 failed; retrying in 2000 ms',
    );
  });

  it('the last attempt fails for good; a non-retryable ERROR is never retried', () => {
    for (const [attempts, retryable] of [
      [3, true],
      [1, false],
    ] as const) {
      const change = changeOf({ cycle_attempts: attempts });
      const effects = new Effects();
      applyOutcome(
        change,
        outcomeOf('ERROR', { retryable }),
        contextOf({ retry: { maxAttempts: 3 } }),
        effects,
      );
      expect(change.row.state).toBe('ERROR');
    }
  });

  it('INVALID_CONTENT is never retried', () => {
    const change = changeOf();
    applyOutcome(
      change,
      outcomeOf('INVALID_CONTENT', { retryable: true }),
      contextOf({ retry: { maxAttempts: 5 } }),
      new Effects(),
    );
    expect(change.row.state).toBe('INVALID_CONTENT');
  });

  it('a timeout ends the request ERROR and cancels the job wherever it waits', () => {
    const change = changeOf({ state: 'DISPATCHED', timeout_ms: 5000, attempt: 4, worker_id: null });
    const effects = new Effects();
    expect(timeOut(change, contextOf({ retry: { maxAttempts: 3 } }), effects)).toBe(true);
    expect(change.row).toMatchObject({
      state: 'ERROR',
      messages: ['timed out after 5000 ms without a final answer'],
    });
    expect(effects.cancels).toEqual([
      { requestId: 'r-1', attempt: 4, workerType: 'mover', workerId: null, reason: 'timed out' },
    ]);
  });
});
