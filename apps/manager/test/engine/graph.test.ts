import { graphOf, parseParts, PARTS_CONTENT_TYPE, type RequestState } from '@org/protocol';
import { claim, jobOf } from '../../src/requests/engine/dispatch';
import { Effects } from '../../src/requests/engine/effects';
import { outputsNeeded, settleGraph, type StepOutput } from '../../src/requests/engine/graph';
import {
  admitGraph,
  GRAPH_COORDINATOR_TYPE,
  stepRowId,
  stepRowIdOfAttempt,
} from '../../src/requests/engine/graph-rows';
import { cancel, retry } from '../../src/requests/engine/operations';
import { type RequestRow } from '../../src/requests/engine/request-row';
import { applyOutcome } from '../../src/requests/engine/responses';
import { RowChange } from '../../src/requests/engine/row-change';
import { contextOf, outcomeOf, rowOf } from './engine-fixtures';

const graph = graphOf([
  { id: 'move', worker: 'mover' },
  { id: 'describe', worker: 'describer', after: ['move'] },
  { id: 'sum', worker: 'summer', after: ['move'] },
  { id: 'join', worker: 'joiner', after: ['describe', 'sum'] },
]);

function coordinatorOf(state: RequestState = 'RUNNING', before?: RequestState): RowChange {
  const row = rowOf({
    id: 'g-1',
    workflow: 'g/flow',
    steps: ['mover', 'describer', 'summer', 'joiner'],
  });
  admitGraph(row);
  row.state = before ?? state;
  const change = new RowChange(row);
  row.state = state;
  return change;
}

function stepOf(index: number, state: RequestState, extra: Partial<RequestRow> = {}): RowChange {
  const step = graph.steps[index]!;
  return new RowChange(
    rowOf({
      id: stepRowId('g-1', index),
      graph_of: 'g-1',
      step_id: step.id,
      step: index,
      worker_type: step.worker,
      state,
      attempt: index + 1,
      ...extra,
    }),
  );
}

const out = (text: string, meta: Record<string, string> = {}): StepOutput => ({
  body: Buffer.from(text),
  contentType: `x/${text}`,
  mimeType: 'text/plain',
  meta,
});

function settle(
  coordinator: RowChange,
  steps: RowChange[],
  outputs: Record<string, StepOutput> = {},
  effects = new Effects(),
) {
  const created = settleGraph(
    {
      coordinator,
      graph,
      steps: new Map(steps.map((step) => [step.row.step_id!, step])),
      outputs: new Map(Object.entries(outputs)),
    },
    contextOf({ unavailable: ['summer'] }),
    effects,
  );
  return { created, effects };
}

describe('engine: graph workflows (design 5.4)', () => {
  it('admits a graph request RUNNING with no job, and creates its root step from the request input', () => {
    const coordinator = coordinatorOf();
    expect(coordinator.row).toMatchObject({ graph_of: 'g-1', worker_type: GRAPH_COORDINATOR_TYPE });
    const { created, effects } = settle(coordinator, []);
    expect(created.map(({ row, input }) => [row.id, row.step_id, row.state, input])).toEqual([
      [stepRowId('g-1', 0), 'move', 'QUEUED', null],
    ]);
    expect(created[0]!.row).toMatchObject({ input_content_type: 'product/raw', attempt: 0 });
    expect([...effects.wake]).toEqual(['mover']);
    expect(coordinator.row.state).toBe('RUNNING');
  });

  it('fans out: both children of a succeeded step are created at once, each with its output', () => {
    const { created, effects } = settle(coordinatorOf(), [stepOf(0, 'SUCCESS')], {
      move: out('moved', { 'wm-meta-path': '/a' }),
    });
    expect(created.map(({ row }) => [row.step_id, row.state, row.worker_type])).toEqual([
      ['describe', 'QUEUED', 'describer'],
      ['sum', 'NO_WORKER_AVAILABLE', 'summer'],
    ]);
    for (const { row, input } of created) {
      expect(input?.toString()).toBe('moved');
      expect(row).toMatchObject({ input_content_type: 'x/moved', meta: { 'wm-meta-path': '/a' } });
    }
    // The step waiting for a worker tells the requester, under the request's own id.
    expect(effects.events.map((e) => [e.event.requestId, e.event.state, e.graphStep])).toEqual([
      ['g-1', 'DELAYED', true],
    ]);
  });

  it('fans in: the join waits for both parents, then takes their outputs as parts', () => {
    const half = settle(
      coordinatorOf(),
      [stepOf(0, 'SUCCESS'), stepOf(1, 'SUCCESS'), stepOf(2, 'RUNNING')],
      { move: out('moved'), describe: out('described') },
    );
    expect(half.created).toEqual([]);
    const { created } = settle(
      coordinatorOf(),
      [stepOf(0, 'SUCCESS'), stepOf(1, 'SUCCESS'), stepOf(2, 'SUCCESS')],
      { move: out('moved'), describe: out('described'), sum: out('summed') },
    );
    expect(created).toHaveLength(1);
    const [join] = created;
    expect(join!.row).toMatchObject({ step_id: 'join', input_mime: PARTS_CONTENT_TYPE });
    const parts = parseParts(join!.input!);
    expect(
      parts.ok && parts.value.map((p) => [p.stepId, p.contentType, p.body.toString()]),
    ).toEqual([
      ['describe', 'x/described', 'described'],
      ['sum', 'x/summed', 'summed'],
    ]);
  });

  it("succeeds once the sink has, with the sink's output", () => {
    const coordinator = coordinatorOf();
    const { created, effects } = settle(
      coordinator,
      [0, 1, 2, 3].map((index) => stepOf(index, 'SUCCESS')),
      { move: out('m'), describe: out('d'), sum: out('s'), join: out('feature') },
    );
    expect(created).toEqual([]);
    expect(coordinator.row.state).toBe('SUCCESS');
    expect(coordinator.finished).toBe(true);
    expect(
      effects.terminal.map((e) => [e.event.requestId, e.event.state, e.event.body?.toString()]),
    ).toEqual([['g-1', 'SUCCESS', 'feature']]);
    // The one sink names the result's step and worker type.
    expect(effects.terminal[0]!.event).toMatchObject({ step: 3, workerType: 'joiner' });
  });

  it('on a failed step: stops steps not started, waits for running siblings, then ends ERROR once', () => {
    const coordinator = coordinatorOf();
    const failed = stepOf(1, 'ERROR', { messages: ['disk full'] });
    const running = stepOf(2, 'RUNNING');
    const first = settle(coordinator, [stepOf(0, 'SUCCESS'), failed, running], { move: out('m') });
    expect(first.created).toEqual([]);
    expect(coordinator.row.state).toBe('RUNNING');
    expect(first.effects.terminal).toEqual([]);

    running.row.state = 'SUCCESS';
    const second = settle(coordinator, [stepOf(0, 'SUCCESS'), failed, running], {
      move: out('m'),
      sum: out('s'),
    });
    expect(second.created).toEqual([]);
    expect(coordinator.row).toMatchObject({
      state: 'ERROR',
      messages: ['step "describe" (describer): disk full'],
    });
    expect(second.effects.terminal.map((e) => e.event.state)).toEqual(['ERROR']);
    expect(second.effects.terminal[0]!.event).toMatchObject({ step: 1, workerType: 'describer' });
  });

  it('stops a step still waiting for its worker when a sibling failed', () => {
    const coordinator = coordinatorOf();
    const waiting = stepOf(2, 'NO_WORKER_AVAILABLE');
    const { effects } = settle(coordinator, [
      stepOf(0, 'SUCCESS'),
      stepOf(1, 'INVALID_CONTENT', { messages: ['not a product'] }),
      waiting,
    ]);
    expect(waiting.row.state).toBe('CANCELLED');
    expect(coordinator.row).toMatchObject({
      state: 'INVALID_CONTENT',
      messages: ['step "describe" (describer): not a product'],
    });
    expect(effects.terminal.filter((e) => !e.graphStep).map((e) => e.event.state)).toEqual([
      'INVALID_CONTENT',
    ]);
  });

  it('on retry re-runs only failed and never-run steps; succeeded ones keep their outputs', () => {
    const coordinator = coordinatorOf('ERROR');
    expect(retry(coordinator, contextOf(), new Effects())).toBeUndefined();
    expect(coordinator.row.state).toBe('RUNNING');
    const moved = stepOf(0, 'SUCCESS');
    const failed = stepOf(1, 'ERROR', { cycle_attempts: 1 });
    const summed = stepOf(2, 'SUCCESS');
    const { created, effects } = settle(coordinator, [moved, failed, summed], {
      move: out('m'),
      sum: out('s'),
    });
    expect(failed.row).toMatchObject({ state: 'QUEUED', cycle_attempts: 0 });
    expect(moved.row.state).toBe('SUCCESS');
    expect(summed.row.state).toBe('SUCCESS');
    expect(created).toEqual([]);
    expect([...effects.wake]).toEqual(['describer']);
  });

  it('on cancel stops every live step, with cancel orders under the request id', () => {
    const coordinator = coordinatorOf();
    const effects = new Effects();
    expect(cancel(coordinator, 'operator said so', effects)).toBeUndefined();
    expect(effects.cancels).toEqual([]);
    const running = stepOf(1, 'RUNNING', { attempt: 2, worker_id: 'd-1' });
    const queued = stepOf(2, 'QUEUED');
    settle(coordinator, [stepOf(0, 'SUCCESS'), running, queued], {}, effects);
    expect([running.row.state, queued.row.state]).toEqual(['CANCELLED', 'CANCELLED']);
    expect(effects.cancels).toEqual([
      expect.objectContaining({
        requestId: 'g-1',
        attempt: 2,
        workerType: 'describer',
        workerId: 'd-1',
      }),
    ]);
  });

  it('numbers step attempts so that a response finds its step; the job carries the request id and step id', () => {
    const step = stepOf(2, 'QUEUED', { attempt: 0 });
    expect(claim(step)).toBe(true);
    expect(step.row.attempt).toBe(3);
    const job = jobOf({ ...step.row, seq: '1', input: Buffer.from('x') }, 0);
    expect(job).toMatchObject({
      requestId: 'g-1',
      attempt: 3,
      step: 2,
      stepId: 'sum',
      messageId: 'g-1#3',
    });
    expect(stepRowIdOfAttempt('g-1', 3)).toBe(step.row.id);
    step.row.state = 'QUEUED';
    expect(claim(step)).toBe(true);
    expect(step.row.attempt).toBe(67);
    expect(stepRowIdOfAttempt('g-1', 67)).toBe(step.row.id);
  });

  it("keeps a step's output and its failure on its row (never finished alone)", () => {
    const success = stepOf(1, 'DISPATCHED', { attempt: 2 });
    const effects = new Effects();
    applyOutcome(
      success,
      outcomeOf('SUCCESS', { attempt: 2, workerType: 'describer', body: Buffer.from('d') }),
      contextOf(),
      effects,
    );
    expect(success.finished).toBe(false);
    expect(success.row.state).toBe('SUCCESS');
    expect(success.output?.body.toString()).toBe('d');
    expect(effects.terminal[0]).toMatchObject({ graphStep: true });
    const failure = stepOf(2, 'DISPATCHED', { attempt: 3 });
    applyOutcome(
      failure,
      outcomeOf('ERROR', { attempt: 3, workerType: 'summer' }),
      contextOf({ policy: { keepErrors: false } }),
      effects,
    );
    expect(failure.row.state).toBe('ERROR');
    expect(failure.finished).toBe(false);
  });

  it('reads only the outputs settling needs: parents of ready steps, then the sinks', () => {
    const states = (entries: Array<[string, RequestState]>) => new Map(entries);
    expect(outputsNeeded(graph, states([]))).toEqual([]);
    expect(outputsNeeded(graph, states([['move', 'SUCCESS']]))).toEqual(['move']);
    expect(
      outputsNeeded(
        graph,
        states([
          ['move', 'SUCCESS'],
          ['describe', 'SUCCESS'],
          ['sum', 'RUNNING'],
        ]),
      ),
    ).toEqual([]);
    expect(
      outputsNeeded(
        graph,
        states([
          ['move', 'SUCCESS'],
          ['describe', 'SUCCESS'],
          ['sum', 'SUCCESS'],
        ]),
      ),
    ).toEqual(['describe', 'sum']);
    expect(
      outputsNeeded(graph, states(graph.steps.map((step) => [step.id, 'SUCCESS'] as const))),
    ).toEqual(['join']);
  });

  it('blames the steps that failed by themselves, not those it stopped, once the last one settles', () => {
    const coordinator = coordinatorOf();
    // join's row sorts before describe's by id: the order must come from the declared index.
    const stopped = stepOf(3, 'CANCELLED', { messages: ['not started: step "describe" failed'] });
    const refused = stepOf(1, 'INVALID_CONTENT', { messages: ['not a product'] });
    const { effects } = settle(coordinator, [
      stopped,
      stepOf(0, 'SUCCESS'),
      refused,
      stepOf(2, 'SUCCESS'),
    ]);
    expect(coordinator.row).toMatchObject({
      state: 'INVALID_CONTENT',
      step: 1,
      messages: ['step "describe" (describer): not a product'],
    });
    expect(effects.terminal[0]!.event).toMatchObject({
      state: 'INVALID_CONTENT',
      workerType: 'describer',
    });
  });
});
