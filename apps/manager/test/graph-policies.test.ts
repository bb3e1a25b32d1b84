import { HEADERS, type DeliveredJob } from '@org/protocol';
import {
  eventOf,
  header,
  publishRequest,
  publishRequestBatch,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { diamondConfig, partsOf } from './support/graph-diamond';
import { startObservedManager, startTestWorker } from './support/harness';

describe('graph workflows: per-step policies, batches and windows (design 5.4)', () => {
  const ns = useTestNamespace('gp');

  it('applies per step: a dead-lettered step job and a step timeout (its worker type timeoutMs) end the request ERROR; keepErrors false deletes it with its steps', async () => {
    const failing = {
      workers: [
        { type: 'g-move' },
        { type: 'g-describe' },
        { type: 'g-sum', timeoutMs: 1000 },
        { type: 'g-join' },
      ],
      workflows: [
        { ...diamondConfig.workflows[0]!, type: 'product/strict', keepErrors: false },
        { ...diamondConfig.workflows[0]!, type: 'product/kept' },
      ],
    };
    const { manager, events, db } = await startObservedManager(ns(), failing);
    await startTestWorker(
      ns(),
      { type: 'g-move', handler: () => ({ status: 'SUCCESS', body: Buffer.from('stored') }) },
      [manager],
    );
    // describe crashes on k-1 (dead-lettered by its queue), succeeds otherwise; sum never answers.
    await startTestWorker(
      ns(),
      {
        type: 'g-describe',
        handler: (job) =>
          job.requestId === 'k-1'
            ? { status: 'REJECT' }
            : { status: 'SUCCESS', body: Buffer.from('d') },
      },
      [manager],
    );
    const sum = await startTestWorker(
      ns(),
      { type: 'g-sum', handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    publishRequest(ns(), {
      requestId: 'k-1',
      contentType: 'product/kept',
      body: Buffer.from('raw'),
    });
    const error = await events.first(eventOf('k-1', 'ERROR'));
    const messages = (header(error, HEADERS.messages) as Buffer[]).map(String);
    // Both steps failed: describe dead-lettered at once, sum timed out after its type's 1 s.
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^step "describe" \(g-describe\): /),
        expect.stringMatching(/^step "sum" \(g-sum\): timed out after 1000 ms/),
      ]),
    );
    expect(header(error, HEADERS.workerType)).toBe('g-describe');
    // The timed-out job gets a cancel order, so a copy still queued never runs.
    await waitFor(() => sum.orders.some((order) => order.requestId === 'k-1'), {
      what: 'a cancel order for the timed-out sum step',
    });
    const kept = await db.query<{ step_id: string; state: string }>(
      `SELECT step_id, state FROM requests WHERE graph_of = 'k-1' AND id <> graph_of ORDER BY step`,
    );
    expect(kept.rows.map((row) => row.state)).toEqual(['SUCCESS', 'ERROR', 'ERROR']);

    publishRequest(ns(), {
      requestId: 's-1',
      contentType: 'product/strict',
      body: Buffer.from('raw'),
    });
    await events.first(eventOf('s-1', 'ERROR'));
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM requests WHERE id = 's-1' OR graph_of = 's-1'`)).rowCount ===
        0,
      { what: 's-1 and its steps deleted (keepErrors: false)' },
    );
  });

  it('runs graph requests that arrive in request batches, their steps through job and response batches', async () => {
    const { manager, events } = await startObservedManager(ns(), diamondConfig);
    const answer = (prefix: string) => (job: DeliveredJob) =>
      ({ status: 'SUCCESS', body: Buffer.from(`${prefix}(${job.body.toString()})`) }) as const;
    const batching = { concurrency: 16, batch: 8, respondInBatches: true };
    await startTestWorker(ns(), { type: 'g-move', ...batching, handler: answer('m') }, [manager]);
    await startTestWorker(ns(), { type: 'g-describe', ...batching, handler: answer('d') }, [
      manager,
    ]);
    await startTestWorker(ns(), { type: 'g-sum', ...batching, handler: answer('s') }, [manager]);
    await startTestWorker(
      ns(),
      {
        type: 'g-join',
        ...batching,
        handler: (job) => ({ status: 'SUCCESS', body: Buffer.from(JSON.stringify(partsOf(job))) }),
      },
      [manager],
    );
    const ids = Array.from({ length: 100 }, (_, i) => `b-${i}`);
    await publishRequestBatch(
      ns(),
      ids.map((requestId) => ({
        requestId,
        contentType: 'product/diamond',
        body: Buffer.from(requestId),
      })),
    );
    const done = await events.waitFor(
      ids.length,
      (message) => ['SUCCESS', 'ERROR'].includes(String(header(message, HEADERS.state))),
      60_000,
      'every request ended',
    );
    expect(new Set(done.map((event) => header(event, HEADERS.state)))).toEqual(
      new Set(['SUCCESS']),
    );
    const first = done.find((event) => header(event, HEADERS.requestId) === 'b-0')!;
    expect(JSON.parse(first.content.toString())).toEqual({
      describe: 'd(m(b-0))',
      sum: 's(m(b-0))',
    });
  });

  it("dispatches each fanned-out step through its own worker type's window", async () => {
    const windowed = {
      ...diamondConfig,
      workers: diamondConfig.workers.map((worker) =>
        worker.type === 'g-describe' ? { ...worker, maxInFlight: 1 } : worker,
      ),
    };
    const { manager, db } = await startObservedManager(ns(), windowed);
    const move = await startTestWorker(
      ns(),
      { type: 'g-move', handler: () => ({ status: 'SUCCESS', body: Buffer.from('stored') }) },
      [manager],
    );
    // describe never answers: its window (maxInFlight 1) stays full.
    const describe = await startTestWorker(
      ns(),
      { type: 'g-describe', handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    const sum = await startTestWorker(
      ns(),
      { type: 'g-sum', handler: () => ({ status: 'SUCCESS', body: Buffer.from('summed') }) },
      [manager],
    );
    const ids = ['w-0', 'w-1', 'w-2', 'w-3', 'w-4'];
    for (const requestId of ids)
      publishRequest(ns(), { requestId, contentType: 'product/diamond', body: Buffer.from('raw') });
    await waitFor(() => move.jobs.length >= 5 && sum.jobs.length >= 5, {
      what: 'every move and sum step run',
    });
    const describeSteps = await db.query<{ state: string }>(
      `SELECT state FROM requests WHERE step_id = 'describe'`,
    );
    const outstanding = (state: string) => ['TO_DISPATCH', 'DISPATCHED', 'RUNNING'].includes(state);
    expect(describeSteps.rows.filter((row) => outstanding(row.state))).toHaveLength(1);
    expect(describeSteps.rows.filter((row) => row.state === 'QUEUED')).toHaveLength(4);
    await waitFor(() => describe.jobs.length === 1, { what: 'the one describe job received' });
    expect(describe.jobs).toHaveLength(1);
  });
});
