import request from 'supertest';
import { HEADERS } from '@org/protocol';
import {
  collectEvents,
  deferred,
  eventOf,
  header,
  publishRequest,
  statesOf,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { type WorkerHandler } from '@org/worker-sdk';
import { database, rowOf } from '../support/harness';
import { startSdkWorker } from '../support/sdk-worker';
import { startHttpManager } from '../http/http-support';

// "Never run what has ended" (design 5.1), through the real manager and a real SDK worker: a job
// that ended while it still sat in the broker, behind a slow job, is acknowledged unrun.

/** A handler that counts its calls per request id and holds `slowId` until released. */
function holdingHandler(slowId: string) {
  const calls = new Map<string, number>();
  const started = deferred();
  const release = deferred();
  const handler: WorkerHandler = async (job, ctx) => {
    calls.set(job.requestId, (calls.get(job.requestId) ?? 0) + 1);
    if (job.requestId === slowId) {
      started.resolve();
      await release.promise;
    }
    return ctx.success({ body: Buffer.from(`done:${job.requestId}`) });
  };
  return { calls, started, release, handler };
}

describe('a job that ended while it waited in the broker is never run', () => {
  const ns = useTestNamespace('nr');

  it('cancel via REST while queued behind a slow job: handler never called, one CANCELLED, the slow job succeeds', async () => {
    const manager = await startHttpManager(ns(), {
      workers: [{ type: 'nr-cancel', contentTypes: ['nr/cancel'] }],
    });
    const events = await collectEvents(ns());
    const db = await database(ns());
    const slow = holdingHandler('slow');
    // Concurrency 1 (prefetch 1): while `slow` runs, the next job waits in the broker's queue.
    const worker = await startSdkWorker(
      ns(),
      { type: 'nr-cancel', concurrency: 1, handler: slow.handler },
      [manager],
    );

    publishRequest(ns(), { requestId: 'slow', contentType: 'nr/cancel', body: Buffer.from('a') });
    await slow.started.promise;
    publishRequest(ns(), { requestId: 'queued', contentType: 'nr/cancel', body: Buffer.from('b') });
    // DISPATCHED: the broker confirmed the job, so it is in the queue behind `slow`.
    await waitFor(async () => (await rowOf(db, 'queued'))?.state === 'DISPATCHED', {
      what: 'the second job published',
    });

    const http = request(manager.app.getHttpServer());
    const cancelled = await http.post('/api/v1/requests/queued/cancel').expect(200);
    expect(cancelled.body).toEqual({ id: 'queued', state: 'CANCELLED' });
    slow.release.resolve();

    const success = await events.first(eventOf('slow', 'SUCCESS'));
    expect(success.content.toString()).toBe('done:slow');
    // The job has left the queue: run, or withdrawn (acknowledged unrun) as it must be.
    await waitFor(() => slow.calls.has('queued') || worker.stats().cancelledInQueue > 0, {
      what: 'the cancelled job taken off the queue',
    });
    expect(slow.calls.get('queued') ?? 0).toBe(0);
    expect(worker.stats().cancelledInQueue).toBe(1);
    expect(slow.calls.get('slow')).toBe(1);
    expect(worker.stats().inFlight).toBe(0);
    expect(events.matching(eventOf('queued', 'CANCELLED'))).toHaveLength(1);
    expect(statesOf(events, 'queued')).not.toContain('RUNNING');
    expect(statesOf(events, 'queued')).not.toContain('SUCCESS');
    const detail = await http.get('/api/v1/requests/queued').expect(200);
    expect(detail.body).toMatchObject({ state: 'CANCELLED' });
  });

  it('timeout while queued: the handler is never called, the request ends ERROR "timed out"', async () => {
    // The same worker type reached two ways: `nr/timed` carries the type's timeoutMs, the
    // one-step workflow `nr/untimed` has no timeout of its own, so the slow job ahead never
    // times out while the queued one does.
    const manager = await startHttpManager(ns(), {
      workers: [{ type: 'nr-timeout', contentTypes: ['nr/timed'], timeoutMs: 1000 }],
      workflows: [{ type: 'nr/untimed', steps: ['nr-timeout'] }],
    });
    const events = await collectEvents(ns());
    const db = await database(ns());
    const slow = holdingHandler('slow');
    const worker = await startSdkWorker(
      ns(),
      { type: 'nr-timeout', concurrency: 1, handler: slow.handler },
      [manager],
    );

    publishRequest(ns(), { requestId: 'slow', contentType: 'nr/untimed', body: Buffer.from('a') });
    await slow.started.promise;
    publishRequest(ns(), { requestId: 'queued', contentType: 'nr/timed', body: Buffer.from('b') });
    // Claimed and sent; it times out before WM_DISPATCHED_AFTER_MS would record it DISPATCHED.
    await waitFor(
      async () => ['TO_DISPATCH', 'DISPATCHED'].includes((await rowOf(db, 'queued'))?.state ?? ''),
      { what: 'the second job published' },
    );

    // Its timeout counts from its dispatch, while it still waits behind `slow`.
    const timedOut = await events.first(eventOf('queued', 'ERROR'));
    expect(String(header(timedOut, HEADERS.messages))).toContain('timed out after 1000 ms');
    slow.release.resolve();
    await events.first(eventOf('slow', 'SUCCESS'));

    // Withdrawn by the cancel order the timeout sent, or refused by the job's wm-deadline: either
    // way taken off the queue unrun.
    const unrun = () => worker.stats().cancelledInQueue + worker.stats().expired;
    await waitFor(() => slow.calls.has('queued') || unrun() > 0, {
      what: 'the timed-out job taken off the queue',
    });
    expect(slow.calls.get('queued') ?? 0).toBe(0);
    expect(unrun()).toBe(1);
    expect(worker.stats().inFlight).toBe(0);
    expect(events.matching(eventOf('queued', 'ERROR'))).toHaveLength(1);
    expect(statesOf(events, 'queued')).not.toContain('SUCCESS');
    expect(await rowOf(db, 'queued')).toMatchObject({ state: 'ERROR' });
  });
});
