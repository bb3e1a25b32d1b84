import { REQUEST_STATES } from '@org/protocol';
import { Effects } from '../../src/requests/engine/effects';
import { applyOutcome, fence } from '../../src/requests/engine/responses';
import {
  changeOf,
  contextOf,
  FINISHED,
  NOW,
  OUTSTANDING,
  outcomeOf,
  WAITING,
} from './engine-fixtures';

const states = (effects: Effects) => effects.events.map((pending) => pending.event.state);
const terminal = (effects: Effects) => effects.terminal.map((pending) => pending.event.state);

describe('engine: fencing worker answers', () => {
  it('drops an answer for an unknown request, another attempt, another type', () => {
    expect(fence(undefined, outcomeOf('SUCCESS'))).toBe('unknown');
    expect(fence(changeOf({ attempt: 2 }), outcomeOf('SUCCESS'))).toBe('stale');
    expect(fence(changeOf(), outcomeOf('SUCCESS', { workerType: 'extractor' }))).toBe('forged');
  });

  it.each([...WAITING, ...FINISHED])('drops an answer to a request in %s as late', (state) => {
    expect(fence(changeOf({ state }), outcomeOf('SUCCESS'))).toBe('late');
  });

  it('drops an answer to a row already finished in this batch', () => {
    const change = changeOf();
    change.finish();
    expect(fence(change, outcomeOf('ERROR'))).toBe('late');
  });

  it('drops a repeated RUNNING from the same instance as a duplicate', () => {
    expect(fence(changeOf({ state: 'RUNNING', worker_id: 'mover-a' }), outcomeOf('RUNNING'))).toBe(
      'duplicate',
    );
    expect(
      fence(changeOf({ state: 'RUNNING', worker_id: 'mover-b' }), outcomeOf('RUNNING')),
    ).toBeUndefined();
  });

  it.each(OUTSTANDING)('accepts a current answer to a request in %s', (state) => {
    expect(fence(changeOf({ state }), outcomeOf('SUCCESS'))).toBeUndefined();
  });

  it('only outstanding states accept answers', () => {
    const accepting = REQUEST_STATES.filter(
      (state) => fence(changeOf({ state }), outcomeOf('PROGRESS', { progress: 5 })) === undefined,
    );
    expect(accepting).toEqual(OUTSTANDING);
  });
});

describe('engine: applying worker answers', () => {
  it('RUNNING records the instance, tells the requester, and lifts the start deadline', () => {
    const change = changeOf({ start_by: new Date(NOW + 1000) });
    const effects = new Effects();
    expect(applyOutcome(change, outcomeOf('RUNNING'), contextOf(), effects)).toBeUndefined();
    expect(change.row).toMatchObject({ state: 'RUNNING', worker_id: 'mover-a', start_by: null });
    expect(states(effects)).toEqual(['RUNNING']);
    expect(change.write).toBe('update');
  });

  it('an answer before the dispatch was recorded implies GRANTED first', () => {
    const change = changeOf({ state: 'TO_DISPATCH' });
    const effects = new Effects();
    applyOutcome(change, outcomeOf('PROGRESS', { progress: 40 }), contextOf(), effects);
    expect(change.row.state).toBe('RUNNING');
    expect(states(effects)).toEqual(['GRANTED', 'PROGRESS']);
    expect(effects.events[1]?.event.progress).toBe(40);
  });

  it('an early answer that ends the request sends its outcome alone (lean events)', () => {
    const change = changeOf({ state: 'TO_DISPATCH', steps: ['mover'] });
    const effects = new Effects();
    applyOutcome(change, outcomeOf('SUCCESS'), contextOf(), effects);
    expect(change.row.state).toBe('SUCCESS');
    expect(states(effects)).toEqual([]);
    expect(effects.terminal.map((pending) => pending.event.state)).toEqual(['SUCCESS']);
  });

  it('an early answer that moves a workflow on keeps the step GRANTED, with its step', () => {
    const change = changeOf({ state: 'TO_DISPATCH', steps: ['mover', 'extractor'], step: 0 });
    const effects = new Effects();
    applyOutcome(change, outcomeOf('SUCCESS'), contextOf(), effects);
    expect(change.row.step).toBe(1);
    expect(effects.events.map((pending) => [pending.event.state, pending.event.step])).toEqual([
      ['GRANTED', 0],
    ]);
  });

  it('with every job recorded at its confirm (WM_DISPATCHED_AFTER_MS=0), an early outcome still has its GRANTED', () => {
    const change = changeOf({ state: 'TO_DISPATCH', steps: ['mover'] });
    const effects = new Effects();
    applyOutcome(change, outcomeOf('SUCCESS'), contextOf({ grantAnsweredJobs: true }), effects);
    expect(states(effects)).toEqual(['GRANTED']);
    expect(effects.terminal.map((pending) => pending.event.state)).toEqual(['SUCCESS']);
  });

  it('SUCCESS of a middle step moves to the next step and queues it with the output as input', () => {
    const change = changeOf({ state: 'RUNNING', meta: { 'wm-meta-a': '1' } });
    const effects = new Effects();
    const output = Buffer.from('stored');
    applyOutcome(
      change,
      outcomeOf('SUCCESS', {
        body: output,
        contentType: 'product/stored',
        mimeType: 'application/json',
        meta: { 'wm-meta-b': '2' },
      }),
      contextOf(),
      effects,
    );
    expect(change.row).toMatchObject({
      state: 'QUEUED',
      step: 1,
      worker_type: 'extractor',
      input_content_type: 'product/stored',
      input_mime: 'application/json',
      meta: { 'wm-meta-a': '1', 'wm-meta-b': '2' },
      cycle_attempts: 0,
      worker_id: null,
    });
    expect(change.input).toBe(output);
    expect([...effects.wake]).toEqual(['extractor']);
    expect(effects.events).toEqual([]);
    expect(effects.terminal).toEqual([]);
  });

  it('the next step waits as NO_WORKER_AVAILABLE (DELAYED) when its type is not alive', () => {
    const change = changeOf();
    const effects = new Effects();
    applyOutcome(change, outcomeOf('SUCCESS'), contextOf({ unavailable: ['extractor'] }), effects);
    expect(change.row.state).toBe('NO_WORKER_AVAILABLE');
    expect(states(effects)).toEqual(['DELAYED']);
    expect(effects.events[0]?.event.messages).toEqual([
      'no extractor worker is available; step 1 (extractor) waits for one',
    ]);
    expect(effects.wake.size).toBe(0);
  });

  it('SUCCESS of the last step ends the request: SUCCESS event with the output, row deleted', () => {
    const change = changeOf({ step: 1, worker_type: 'extractor', state: 'RUNNING' });
    const effects = new Effects();
    applyOutcome(
      change,
      outcomeOf('SUCCESS', { workerType: 'extractor', body: Buffer.from('out') }),
      contextOf(),
      effects,
    );
    expect(change.row.state).toBe('SUCCESS');
    expect(change.write).toBe('finish');
    expect(terminal(effects)).toEqual(['SUCCESS']);
    expect(effects.terminal[0]?.event.body?.toString()).toBe('out');
  });

  it('keepSuccess keeps the row and its output', () => {
    const change = changeOf({ steps: ['mover'], workflow: null });
    const effects = new Effects();
    applyOutcome(
      change,
      outcomeOf('SUCCESS', { body: Buffer.from('out'), mimeType: 'text/plain' }),
      contextOf({ policy: { keepSuccess: true } }),
      effects,
    );
    expect(change.write).toBe('update');
    expect(change.output).toEqual({
      body: Buffer.from('out'),
      contentType: 'product/raw',
      mimeType: 'text/plain',
    });
  });

  it('an output over WM_MAX_PAYLOAD_BYTES ends the request ERROR with the sizes', () => {
    const change = changeOf({ steps: ['mover'], workflow: null });
    const effects = new Effects();
    applyOutcome(
      change,
      outcomeOf('SUCCESS', { body: Buffer.alloc(2000) }),
      contextOf({ maxPayloadBytes: 1024 }),
      effects,
    );
    expect(change.row.state).toBe('ERROR');
    expect(change.row.messages).toEqual([
      "the worker's output is 2000 bytes, over the limit of 1024 bytes (WM_MAX_PAYLOAD_BYTES)",
    ]);
    expect(terminal(effects)).toEqual(['ERROR']);
  });
});
