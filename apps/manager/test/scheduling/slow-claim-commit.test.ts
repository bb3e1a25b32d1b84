import { publishRequest, useTestNamespace, waitFor } from '@org/testkit';
import { DatabaseService } from '../../src/database/database.service';
import { type ClaimedJobs } from '../../src/requests/dispatch/claimed-jobs';
import { DispatchControls } from '../../src/requests/dispatch/dispatch-controls.service';
import { Dispatcher } from '../../src/requests/dispatch/dispatcher.service';
import { Sweeper } from '../../src/requests/sweeper.service';
import { rowOf, startObservedManager, startTestWorker } from '../support/harness';

const LEASE_MS = 300;

describe('a claim whose commit ends after its lease', () => {
  const ns = useTestNamespace('sc');

  it('is never published a second time by the sweep: the job goes out once, under its first attempt', async () => {
    const { manager, db } = await startObservedManager(
      ns(),
      { workers: [{ type: 'slowcommit', contentTypes: ['slow/commit'] }] },
      { dispatchLeaseMs: LEASE_MS },
    );
    const worker = await startTestWorker(
      ns(),
      { type: 'slowcommit', concurrency: 1, handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    // Paused, so the request waits QUEUED until this test claims it by hand.
    await manager.app.get(DispatchControls).pause('slowcommit', 'test', null);
    publishRequest(ns(), { requestId: 'sc-1', contentType: 'slow/commit', body: Buffer.from('x') });
    await waitFor(async () => (await rowOf(db, 'sc-1'))?.state === 'QUEUED', {
      what: 'sc-1 QUEUED',
    });

    const database = manager.app.get(DatabaseService);
    const dispatcher = manager.app.get(Dispatcher);
    const sweeper = manager.app.get(Sweeper);
    const unpause = database.statement(
      'test-unpause',
      `UPDATE ${database.table('dispatch_controls')} SET paused = false WHERE worker_type = $1`,
    );
    const claimed: ClaimedJobs = await database.transaction(async (tx) => {
      await tx.query(unpause, ['slowcommit']);
      const jobs = await dispatcher.claimInTx(tx, ['slowcommit']);
      // A loaded database: the commit comes after the lease (counted from the transaction's
      // start) has run out.
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3));
      return jobs;
    });
    expect(claimed.rows.map((row) => row.id)).toEqual(['sc-1']);
    // The sweeps run (every 100 ms here) before the publish starts: none may take the job.
    for (let pass = 0; pass < 5; pass++) await sweeper.sweep();
    await dispatcher.publish(claimed);

    await waitFor(() => worker.jobs.length >= 1, { what: 'the job at the worker' });
    for (let pass = 0; pass < 5; pass++) await sweeper.sweep();
    // Recorded DISPATCHED after WM_DISPATCHED_AFTER_MS, its lease renewed until then.
    await waitFor(async () => (await rowOf(db, 'sc-1'))?.state === 'DISPATCHED', {
      what: 'sc-1 recorded DISPATCHED',
    });
    for (let pass = 0; pass < 5; pass++) await sweeper.sweep();
    expect(worker.jobs.map((job) => job.attempt)).toEqual([1]);
    expect((await rowOf(db, 'sc-1'))?.attempt).toBe(1);
  });
});
