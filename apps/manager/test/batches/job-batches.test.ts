import { HEADERS } from '@org/protocol';
import {
  eventOf,
  header,
  publishRequest,
  publishRequestBatch,
  statesOf,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { MessageParking } from '../../src/messaging/message-parking';
import { WorkerCatalogue } from '../../src/workers/worker-catalogue.service';
import { startObservedManager, startTestWorker } from '../support/harness';
import { startSdkWorker } from '../support/sdk-worker';

const CONFIG = { workers: [{ type: 'packed', contentTypes: ['packed/x'] }] };

/** One SUCCESS event per id, and no other terminal event: every request ended once. */
function endedOnce(
  events: Awaited<ReturnType<typeof startObservedManager>>['events'],
  ids: readonly string[],
): void {
  for (const id of ids) {
    const terminal = events
      .matching(eventOf(id))
      .filter((message) =>
        ['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED'].includes(
          header(message, HEADERS.state) as string,
        ),
      );
    expect(terminal.map((message) => header(message, HEADERS.state))).toEqual(['SUCCESS']);
  }
}

describe('job batches (design 5.2)', () => {
  const ns = useTestNamespace('jb');

  it('sends a v1 worker and a v2 SDK worker of one type single jobs, each request once; batches once only v2 instances are left, never above the smallest batch', async () => {
    const { manager, events, db } = await startObservedManager(ns(), CONFIG);
    const sdkHandled: string[] = [];
    const sdk = await startSdkWorker(
      ns(),
      {
        type: 'packed',
        concurrency: 8,
        batch: 6,
        runningAfterMs: 1000,
        handler: (job, ctx) => {
          sdkHandled.push(job.requestId);
          return ctx.success({ body: job.body });
        },
      },
      [manager],
    );
    const v1 = await startTestWorker(ns(), { type: 'packed', concurrency: 8 }, [manager]);
    const catalogue = manager.app.get(WorkerCatalogue);
    await waitFor(() => catalogue.capacity('packed').liveInstances === 2, {
      what: 'both instances live',
    });
    expect(catalogue.capacity('packed').batch).toBeUndefined();

    const mixed = Array.from({ length: 300 }, (_, index) => `mixed-${index}`);
    for (const id of mixed)
      publishRequest(ns(), { requestId: id, contentType: 'packed/x', body: Buffer.from(id) });
    await events.waitFor(mixed.length, (m) => header(m, HEADERS.state) === 'SUCCESS', 30_000);
    endedOnce(events, mixed);
    // Each request ran once, on one of the two, and the v1 worker never saw a batch.
    const ran = [...sdkHandled, ...v1.jobs.map((job) => job.requestId)].sort();
    expect(ran).toEqual([...mixed].sort());
    expect(v1.jobs.length).toBeGreaterThan(0);
    expect(sdkHandled.length).toBeGreaterThan(0);
    expect(v1.messageSizes.every((size) => size === 1)).toBe(true);
    // Short jobs cost no RUNNING event (under runningAfterMs), and answered before their
    // DISPATCHED record, no GRANTED either: the requester hears the outcome.
    expect(statesOf(events, sdkHandled[0]!)).toEqual(['SUCCESS']);

    // The v1 instance leaves: now every live instance takes batches, the smallest n bounds them.
    await v1.stop();
    const v2 = await startTestWorker(ns(), { type: 'packed', concurrency: 8, batch: 4 }, [manager]);
    await waitFor(() => catalogue.capacity('packed').batch === 4, {
      what: 'the smallest advertised batch, 4',
    });
    const packed = Array.from({ length: 400 }, (_, index) => `packed-${index}`);
    for (const id of packed)
      publishRequest(ns(), { requestId: id, contentType: 'packed/x', body: Buffer.from(id) });
    await events.waitFor(
      mixed.length + packed.length,
      (m) => header(m, HEADERS.state) === 'SUCCESS',
      30_000,
    );
    endedOnce(events, packed);
    expect(Math.max(...v2.messageSizes)).toBeLessThanOrEqual(4);
    expect(v2.messageSizes.some((size) => size > 1)).toBe(true);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM requests');
    expect(rows[0].n).toBe(0);
    await sdk.stop();
  });

  it('redelivers all 50 jobs of a batch whose worker was killed holding it, and ends each request once', async () => {
    const { manager, events, db } = await startObservedManager(ns(), CONFIG);
    const doomed = await startTestWorker(
      ns(),
      // Concurrency 25: a window of 50 (2 × 25), all of them claimed at once into one batch.
      { type: 'packed', concurrency: 25, batch: 50, handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    const ids = Array.from({ length: 50 }, (_, index) => `held-${index}`);
    await publishRequestBatch(
      ns(),
      ids.map((id) => ({ requestId: id, contentType: 'packed/x', body: Buffer.from(id) })),
    );
    await waitFor(() => doomed.held.length === 1, { what: 'the batch held' });
    expect(doomed.messageSizes).toEqual([50]);

    const survivor = await startTestWorker(ns(), { type: 'packed', concurrency: 25, batch: 50 });
    doomed.kill();
    await events.waitFor(ids.length, (m) => header(m, HEADERS.state) === 'SUCCESS', 30_000);
    endedOnce(events, ids);
    expect(survivor.jobs.map((job) => job.requestId).sort()).toEqual([...ids].sort());
    expect(survivor.jobs.every((job) => job.redelivered)).toBe(true);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM requests');
    expect(rows[0].n).toBe(0);
  });

  it('condemns no job of a dead-lettered batch: the others succeed, the poison job alone ends ERROR', async () => {
    const { manager, events } = await startObservedManager(ns(), CONFIG);
    const worker = await startTestWorker(
      ns(),
      {
        type: 'packed',
        concurrency: 10,
        batch: 20,
        // A worker that gives up on any message holding the poison job (rejects it whole).
        handler: (job) =>
          job.body.toString() === 'poison' ? { status: 'REJECT' } : { status: 'SUCCESS' },
      },
      [manager],
    );
    const ids = Array.from({ length: 20 }, (_, index) => `dl-${index}`);
    await publishRequestBatch(
      ns(),
      ids.map((id, index) => ({
        requestId: id,
        contentType: 'packed/x',
        body: Buffer.from(index === 7 ? 'poison' : id),
      })),
    );
    await events.waitFor(19, (m) => header(m, HEADERS.state) === 'SUCCESS', 30_000);
    const error = await events.first(eventOf('dl-7', 'ERROR'), 30_000);
    expect(String(header(error, HEADERS.messages))).toMatch(/reject/i);
    endedOnce(
      events,
      ids.filter((id) => id !== 'dl-7'),
    );
    // The batch went first; the jobs came back one per message.
    expect(worker.messageSizes[0]).toBeGreaterThan(1);
    expect(worker.jobsFor('dl-7').length).toBe(2);
    expect(worker.messageSizes.slice(1).every((size) => size === 1)).toBe(true);
    expect(manager.app.get(MessageParking).parkedRequestBatches).toBe(0);
  });
});
