import { deferred, eventOf, publishRequest, useTestNamespace, waitFor } from '@org/testkit';
import { type Client } from 'pg';
import { rowOf, startObservedManager, startTestWorker } from '../support/harness';
import { type JobAction } from '../support/test-worker';

/** The states a request's history went through, in order. */
async function historyOf(db: Client, id: string): Promise<string[]> {
  const { rows } = await db.query<{ state: string }>(
    'SELECT state FROM request_history WHERE request_id = $1 ORDER BY id',
    [id],
  );
  return rows.map((row) => row.state);
}

const request = (requestId: string, contentType: string, body = requestId) => ({
  requestId,
  contentType,
  body: Buffer.from(body),
});

/**
 * Claims on arrival: a request whose type has no backlog and room in its window is recorded
 * TO_DISPATCH by intake itself, never QUEUED; once requests wait, a new one waits behind them
 * and the older ones go first; an id already recorded takes no job.
 */
describe('requests claimed on arrival', () => {
  const ns = useTestNamespace('arrivals');

  it('records a request for an idle type TO_DISPATCH at once, and queues the ones past its window behind the waiting ones', async () => {
    const { manager, events, db } = await startObservedManager(
      ns(),
      { workers: [{ type: 'arr', contentTypes: ['text/arr'], keepSuccess: true }] },
      { dispatchedAfterMs: 0 },
    );
    const release = deferred<JobAction>();
    const order: string[] = [];
    // Concurrency 1: a window of two jobs.
    await startTestWorker(
      ns(),
      {
        type: 'arr',
        concurrency: 1,
        handler: (job) => {
          order.push(job.requestId);
          return release.promise;
        },
      },
      [manager],
    );
    publishRequest(ns(), request('first', 'text/arr'));
    publishRequest(ns(), request('second', 'text/arr'));
    await events.first(eventOf('second', 'GRANTED'));
    publishRequest(ns(), request('third', 'text/arr'));
    await waitFor(async () => (await rowOf(db, 'third'))?.state === 'QUEUED', {
      what: 'the third request queued behind the full window',
    });
    publishRequest(ns(), request('fourth', 'text/arr'));
    await waitFor(async () => (await rowOf(db, 'fourth'))?.state === 'QUEUED', {
      what: 'the fourth request queued behind the third',
    });
    release.resolve({ status: 'SUCCESS', body: Buffer.from('done') });
    await events.first(eventOf('fourth', 'SUCCESS'));
    expect(order).toEqual(['first', 'second', 'third', 'fourth']);
    // DISPATCHED is written at the confirm, unless the answer overtook it (a job answered at
    // once, like the third and fourth here): the states around it are what this is about.
    const waited = async (id: string) =>
      (await historyOf(db, id)).filter((state) => state !== 'DISPATCHED');
    expect(await waited('first')).toEqual(['TO_DISPATCH', 'SUCCESS']);
    expect(await waited('second')).toEqual(['TO_DISPATCH', 'SUCCESS']);
    expect(await waited('third')).toEqual(['QUEUED', 'TO_DISPATCH', 'SUCCESS']);
    expect(await waited('fourth')).toEqual(['QUEUED', 'TO_DISPATCH', 'SUCCESS']);
  });

  it('publishes no second job for an id sent again while its first is running', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [{ type: 'arrdup', contentTypes: ['text/arrdup'] }],
    });
    const release = deferred<JobAction>();
    const worker = await startTestWorker(ns(), { type: 'arrdup', handler: () => release.promise }, [
      manager,
    ]);
    publishRequest(ns(), request('once', 'text/arrdup'));
    await waitFor(() => worker.jobsFor('once').length === 1, { what: 'the first job' });
    // The same request again (a requester retrying its publish): absorbed, claimed for nothing.
    publishRequest(ns(), request('once', 'text/arrdup'));
    publishRequest(ns(), request('after', 'text/arrdup'));
    await waitFor(() => worker.jobsFor('after').length === 1, { what: 'the next request' });
    release.resolve({ status: 'SUCCESS', body: Buffer.from('done') });
    await events.first(eventOf('once', 'SUCCESS'));
    await events.first(eventOf('after', 'SUCCESS'));
    expect(worker.jobsFor('once')).toHaveLength(1);
    expect(await rowOf(db, 'once')).toBeUndefined();
  });
});
