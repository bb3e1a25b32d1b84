import {
  deferred,
  eventOf,
  header,
  inState,
  publishRequest,
  statesOf,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { HEADERS } from '@org/protocol';
import { type Client } from 'pg';
import { rowOf, startObservedManager, startTestWorker } from '../support/harness';
import { type JobAction } from '../support/test-worker';

const config = {
  workers: [{ type: 'da', contentTypes: ['text/da'], keepSuccess: true }],
};

const chainConfig = {
  workers: [
    { type: 'da', contentTypes: [] },
    { type: 'db', contentTypes: [] },
  ],
  workflows: [{ type: 'text/chain', steps: ['da', 'db'] }],
};

/** The states a request's history went through, in order. */
async function historyOf(db: Client, id: string): Promise<string[]> {
  const { rows } = await db.query<{ state: string }>(
    'SELECT state FROM request_history WHERE request_id = $1 ORDER BY id',
    [id],
  );
  return rows.map((row) => row.state);
}

/**
 * `WM_DISPATCHED_AFTER_MS`: a confirmed job is recorded DISPATCHED (and its GRANTED sent) only
 * once it has been unanswered that long. A job answered sooner goes from TO_DISPATCH to its
 * outcome in one write; when that answer ends the request its requester hears the outcome alone
 * (lean events), when it moves a workflow on the step's GRANTED still comes first. With 0 every
 * job is recorded at its confirm and every GRANTED sent, as in v1. A long job is recorded while
 * it runs; a replica that stops records what it still owes.
 */
describe('DISPATCHED recorded after WM_DISPATCHED_AFTER_MS', () => {
  const ns = useTestNamespace('dispafter');

  it('writes no DISPATCHED for a job answered sooner, and sends no GRANTED when the answer ends the request', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config, {
      dispatchedAfterMs: 30_000,
    });
    await startTestWorker(ns(), { type: 'da' }, [manager]);
    publishRequest(ns(), { requestId: 'fast', contentType: 'text/da', body: Buffer.from('x') });
    await events.first(eventOf('fast', 'SUCCESS'));
    expect(statesOf(events, 'fast')).toEqual(['SUCCESS']);
    expect(await historyOf(db, 'fast')).toEqual(['TO_DISPATCH', 'SUCCESS']);
  });

  it("keeps a workflow step's GRANTED when its early answer moves the request on", async () => {
    const { manager, events } = await startObservedManager(ns(), chainConfig, {
      dispatchedAfterMs: 30_000,
    });
    await startTestWorker(ns(), { type: 'da' }, [manager]);
    await startTestWorker(ns(), { type: 'db' }, [manager]);
    publishRequest(ns(), { requestId: 'chain', contentType: 'text/chain', body: Buffer.from('x') });
    await events.first(eventOf('chain', 'SUCCESS'));
    const steps = events
      .matching(eventOf('chain'))
      .map((message) => [header(message, HEADERS.state), header(message, HEADERS.step)]);
    expect(steps).toEqual([
      ['GRANTED', 0],
      ['SUCCESS', 1],
    ]);
  });

  it('sends every GRANTED, before the outcome, when every job is recorded at its confirm (0)', async () => {
    const { manager, events } = await startObservedManager(ns(), config, {
      dispatchedAfterMs: 0,
    });
    await startTestWorker(ns(), { type: 'da' }, [manager]);
    for (const id of ['v1-a', 'v1-b', 'v1-c'])
      publishRequest(ns(), { requestId: id, contentType: 'text/da', body: Buffer.from('x') });
    await events.waitFor(3, inState('SUCCESS'));
    for (const id of ['v1-a', 'v1-b', 'v1-c'])
      expect(statesOf(events, id)).toEqual(['GRANTED', 'SUCCESS']);
  });

  it('records a job still running after the delay DISPATCHED, and sends its GRANTED then', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config, {
      dispatchedAfterMs: 400,
    });
    const release = deferred<JobAction>();
    const received = deferred<number>();
    await startTestWorker(
      ns(),
      {
        type: 'da',
        handler: () => {
          received.resolve(Date.now());
          return release.promise;
        },
      },
      [manager],
    );
    publishRequest(ns(), { requestId: 'slow', contentType: 'text/da', body: Buffer.from('x') });
    const receivedAt = await received.promise;
    expect((await rowOf(db, 'slow'))?.state).toBe('TO_DISPATCH');
    await events.first(eventOf('slow', 'GRANTED'));
    // The broker's confirm reaches the manager about when the worker gets the job.
    expect(Date.now() - receivedAt).toBeGreaterThanOrEqual(300);
    await waitFor(async () => (await rowOf(db, 'slow'))?.state === 'DISPATCHED', {
      what: 'the row recorded DISPATCHED',
    });
    release.resolve({ status: 'SUCCESS', body: Buffer.from('done') });
    await events.first(eventOf('slow', 'SUCCESS'));
    expect(await historyOf(db, 'slow')).toEqual(['TO_DISPATCH', 'DISPATCHED', 'SUCCESS']);
  });

  it('records the jobs it still owes when the replica stops, so no sweep sends them again', async () => {
    const { manager, db } = await startObservedManager(ns(), config, {
      dispatchedAfterMs: 60_000,
    });
    const received = deferred<void>();
    await startTestWorker(
      ns(),
      {
        type: 'da',
        handler: () => {
          received.resolve();
          return { status: 'HOLD' };
        },
      },
      [manager],
    );
    publishRequest(ns(), { requestId: 'owed', contentType: 'text/da', body: Buffer.from('x') });
    await received.promise;
    expect((await rowOf(db, 'owed'))?.state).toBe('TO_DISPATCH');
    await manager.close();
    const row = await rowOf(db, 'owed');
    expect(row?.state).toBe('DISPATCHED');
    expect(row?.attempt).toBe(1);
  });
});
