import { deferred, eventOf, publishRequest, useTestNamespace, waitFor } from '@org/testkit';
import { HEADERS } from '@org/protocol';
import { type Client } from 'pg';
import { rowOf, startObservedManager, startTestWorker } from '../support/harness';
import { type JobAction } from '../support/test-worker';

const config = {
  workers: [{ type: 'da', contentTypes: ['text/da'], keepSuccess: true }],
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
 * outcome in one write, and its requester still gets GRANTED before SUCCESS; a long job is
 * recorded while it runs; a replica that stops records what it still owes.
 */
describe('DISPATCHED recorded after WM_DISPATCHED_AFTER_MS', () => {
  const ns = useTestNamespace('dispafter');

  it('writes no DISPATCHED for a job answered sooner, and still sends GRANTED before SUCCESS', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config, {
      dispatchedAfterMs: 30_000,
    });
    await startTestWorker(ns(), { type: 'da' }, [manager]);
    publishRequest(ns(), { requestId: 'fast', contentType: 'text/da', body: Buffer.from('x') });
    await events.first(eventOf('fast', 'SUCCESS'));
    const states = events
      .matching(eventOf('fast'))
      .map((message) => events.header(message, HEADERS.state));
    expect(states).toEqual(['GRANTED', 'SUCCESS']);
    expect(await historyOf(db, 'fast')).toEqual(['TO_DISPATCH', 'SUCCESS']);
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
