import { HEADERS, type DeliveredJob } from '@org/protocol';
import {
  deferred,
  eventOf,
  header,
  publishRequest,
  statesOf,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { RequestsService } from '../src/requests/requests.service';
import { diamondConfig, partsOf } from './support/graph-diamond';
import { startObservedManager, startTestWorker } from './support/harness';
import { type JobAction } from './support/test-worker';

/** When a worker handled a job: start and end by the worker's clock. */
interface Span {
  readonly start: number;
  end: number;
}

/** Records each job's span per request id, and counts handler calls. */
function spans(): {
  readonly of: Map<string, Span>;
  readonly calls: Map<string, number>;
  run(job: DeliveredJob, answer: () => JobAction | Promise<JobAction>): Promise<JobAction>;
} {
  const of = new Map<string, Span>();
  const calls = new Map<string, number>();
  return {
    of,
    calls,
    async run(job, answer) {
      calls.set(job.requestId, (calls.get(job.requestId) ?? 0) + 1);
      const span = { start: Date.now(), end: 0 };
      of.set(job.requestId, span);
      const action = await answer();
      span.end = Date.now();
      return action;
    },
  };
}

/** No two runs of one (request, attempt) but broker redeliveries. */
function onePerAttempt(jobs: readonly DeliveredJob[]): boolean {
  const firstRuns = jobs
    .filter((job) => !job.redelivered)
    .map((job) => `${job.requestId}#${job.attempt}`);
  return new Set(firstRuns).size === firstRuns.length;
}

describe('graph workflows (design 5.4)', () => {
  const ns = useTestNamespace('gw');

  it('runs a diamond over 500 requests: middle steps in parallel, the fan-in gets both outputs', async () => {
    const { manager, events } = await startObservedManager(ns(), diamondConfig);
    const describe = spans();
    const sum = spans();
    // The first request's middle steps meet: each waits until the other has started, so the
    // test hangs (and fails) unless both were dispatched at once.
    const describeStarted = deferred<void>();
    const sumStarted = deferred<void>();
    const joins: Array<Record<string, string>> = [];
    await startTestWorker(
      ns(),
      {
        type: 'g-move',
        concurrency: 32,
        handler: (job) => ({
          status: 'SUCCESS',
          body: Buffer.from(`stored:${job.body.toString()}`),
        }),
      },
      [manager],
    );
    const describeJobs = await startTestWorker(
      ns(),
      {
        type: 'g-describe',
        concurrency: 32,
        handler: (job) =>
          describe.run(job, async () => {
            if (job.requestId === 'd-0') {
              describeStarted.resolve();
              await sumStarted.promise;
            }
            return { status: 'SUCCESS', body: Buffer.from(`described(${job.body.toString()})`) };
          }),
      },
      [manager],
    );
    const sumJobs = await startTestWorker(
      ns(),
      {
        type: 'g-sum',
        concurrency: 32,
        handler: (job) =>
          sum.run(job, async () => {
            if (job.requestId === 'd-0') {
              sumStarted.resolve();
              await describeStarted.promise;
            }
            return { status: 'SUCCESS', body: Buffer.from(`sum(${job.body.toString()})`) };
          }),
      },
      [manager],
    );
    const join = await startTestWorker(
      ns(),
      {
        type: 'g-join',
        concurrency: 32,
        handler: (job) => {
          const inputs = partsOf(job);
          joins.push(inputs);
          return {
            status: 'SUCCESS',
            body: Buffer.from(JSON.stringify(inputs)),
          };
        },
      },
      [manager],
    );

    const ids = Array.from({ length: 500 }, (_, i) => `d-${i}`);
    for (const requestId of ids)
      publishRequest(ns(), {
        requestId,
        contentType: 'product/diamond',
        body: Buffer.from(requestId),
      });
    const terminal = (message: Parameters<ReturnType<typeof eventOf>>[0]) =>
      ['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED'].includes(
        String(header(message, HEADERS.state)),
      );
    const done = await events.waitFor(ids.length, terminal, 120_000, 'terminal events');
    expect(done.map((event) => header(event, HEADERS.state))).toEqual(ids.map(() => 'SUCCESS'));
    expect(new Set(done.map((event) => header(event, HEADERS.requestId))).size).toBe(ids.length);
    const first = done.find((event) => header(event, HEADERS.requestId) === 'd-0')!;
    expect(JSON.parse(first.content.toString())).toEqual({
      describe: 'described(stored:d-0)',
      sum: 'sum(stored:d-0)',
    });
    expect(header(first, HEADERS.contentType)).toBe('product/feature');
    // Every request's fan-in ran, once per attempt. A second run under a new attempt is a
    // re-dispatch after an expired dispatch lease (a loaded machine can delay a committed claim's
    // publish past the lease); its first copy's answer is dropped as stale.
    expect(new Set(join.jobs.map((job) => job.requestId))).toEqual(new Set(ids));
    expect(onePerAttempt(join.jobs)).toBe(true);
    expect(joins.every((inputs) => Object.keys(inputs).sort().join() === 'describe,sum')).toBe(
      true,
    );
    expect(join.jobs.every((job) => job.stepId === 'join' && job.step === 3)).toBe(true);
    // Overlap by the workers' clocks: the describe and sum spans of a request intersect.
    const overlapping = ids.filter((id) => {
      const a = describe.of.get(id);
      const b = sum.of.get(id);
      return a && b && a.start <= b.end && b.start <= a.end;
    });
    expect(overlapping).toContain('d-0');
    expect(ids.every((id) => describe.calls.has(id) && sum.calls.has(id))).toBe(true);
    expect(onePerAttempt([...describeJobs.jobs, ...sumJobs.jobs])).toBe(true);
  }, 180_000);

  it('a failing middle step: the sibling finishes, ERROR once, retry re-runs only the failed step and the fan-in', async () => {
    const { manager, events, db } = await startObservedManager(ns(), diamondConfig);
    const sumAnswered = deferred<void>();
    let failDescribe = true;
    const counts = { move: 0, describe: 0, sum: 0, join: 0 };
    const describeDone = deferred<void>();
    await startTestWorker(
      ns(),
      {
        type: 'g-move',
        handler: () => {
          counts.move += 1;
          return { status: 'SUCCESS', body: Buffer.from('stored') };
        },
      },
      [manager],
    );
    await startTestWorker(
      ns(),
      {
        type: 'g-describe',
        handler: () => {
          counts.describe += 1;
          if (failDescribe) {
            describeDone.resolve();
            return { status: 'ERROR', messages: ['no metadata'] };
          }
          return { status: 'SUCCESS', body: Buffer.from('described') };
        },
      },
      [manager],
    );
    await startTestWorker(
      ns(),
      {
        type: 'g-sum',
        handler: async () => {
          counts.sum += 1;
          // Still running when its sibling fails: the request must wait for it.
          await describeDone.promise;
          await waitFor(
            async () =>
              (
                await db.query<{ state: string }>(
                  `SELECT state FROM requests WHERE graph_of = 'f-1' AND step_id = 'describe'`,
                )
              ).rows[0]?.state === 'ERROR',
            { what: 'describe step ERROR' },
          );
          sumAnswered.resolve();
          return { status: 'SUCCESS', body: Buffer.from('summed') };
        },
      },
      [manager],
    );
    const join = await startTestWorker(
      ns(),
      {
        type: 'g-join',
        handler: (job) => {
          counts.join += 1;
          return { status: 'SUCCESS', body: Buffer.from(JSON.stringify(partsOf(job))) };
        },
      },
      [manager],
    );

    publishRequest(ns(), {
      requestId: 'f-1',
      contentType: 'product/diamond',
      body: Buffer.from('raw'),
    });
    const error = await events.first(eventOf('f-1', 'ERROR'));
    await sumAnswered.promise;
    expect((header(error, HEADERS.messages) as Buffer[]).map(String)).toEqual([
      'step "describe" (g-describe): no metadata',
    ]);
    const steps = await db.query<{ step_id: string; state: string }>(
      `SELECT step_id, state FROM requests WHERE graph_of = 'f-1' AND id <> graph_of ORDER BY step`,
    );
    expect(steps.rows).toEqual([
      { step_id: 'move', state: 'SUCCESS' },
      { step_id: 'describe', state: 'ERROR' },
      { step_id: 'sum', state: 'SUCCESS' },
    ]);
    expect(counts).toEqual({ move: 1, describe: 1, sum: 1, join: 0 });

    failDescribe = false;
    await expect(manager.app.get(RequestsService).retry('f-1')).resolves.toMatchObject({
      state: 'RUNNING',
    });
    const success = await events.first(eventOf('f-1', 'SUCCESS'));
    expect(JSON.parse(success.content.toString())).toEqual({
      describe: 'described',
      sum: 'summed',
    });
    expect(counts).toEqual({ move: 1, describe: 2, sum: 1, join: 1 });
    expect(join.jobs[0]!.stepId).toBe('join');
    const terminals = statesOf(events, 'f-1').filter((state) =>
      ['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED'].includes(state),
    );
    expect(terminals).toEqual(['ERROR', 'SUCCESS']);
    // The request and its steps are gone (keepSuccess is false).
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM requests WHERE id = 'f-1' OR graph_of = 'f-1'`)).rowCount ===
        0,
      { what: 'rows deleted' },
    );
  });

  it('cancel stops every running step: cancel orders to each, the request CANCELLED once', async () => {
    const { manager, events, db } = await startObservedManager(ns(), diamondConfig);
    await startTestWorker(
      ns(),
      { type: 'g-move', handler: () => ({ status: 'SUCCESS', body: Buffer.from('stored') }) },
      [manager],
    );
    const describe = await startTestWorker(
      ns(),
      { type: 'g-describe', handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    const sum = await startTestWorker(
      ns(),
      { type: 'g-sum', handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    publishRequest(ns(), {
      requestId: 'c-1',
      contentType: 'product/diamond',
      body: Buffer.from('raw'),
    });
    await waitFor(() => describe.jobs.length === 1 && sum.jobs.length === 1, {
      what: 'both middle steps dispatched',
    });
    await manager.app.get(RequestsService).cancel('c-1', 'operator cancelled');
    await events.first(eventOf('c-1', 'CANCELLED'));
    await waitFor(
      () =>
        describe.orders.some((order) => order.requestId === 'c-1') &&
        sum.orders.some((order) => order.requestId === 'c-1'),
      { what: 'cancel orders for both running steps' },
    );
    expect(describe.orders.find((o) => o.requestId === 'c-1')).toMatchObject({
      attempt: describe.jobs[0]!.attempt,
    });
    const steps = await db.query<{ step_id: string; state: string }>(
      `SELECT step_id, state FROM requests WHERE graph_of = 'c-1' AND id <> graph_of ORDER BY step`,
    );
    expect(steps.rows.map((row) => row.state)).toEqual(['SUCCESS', 'CANCELLED', 'CANCELLED']);
    expect(statesOf(events, 'c-1').filter((s) => s === 'CANCELLED')).toHaveLength(1);
  });
});
