import { connect } from 'amqplib';
import { inState, useTestNamespace, waitFor } from '@org/testkit';
import { DispatchControls } from '../../src/requests/dispatch/dispatch-controls.service';
import { Sweeper } from '../../src/requests/sweeper.service';
import { publishMany } from '../support/publish-many';
import { startObservedManager, startTestManager, startTestWorker } from '../support/harness';

describe('rate limits and pause (design 5.1)', () => {
  const ns = useTestNamespace();

  it('holds a rate limit of 50/s: 500 requests take at least 9 s, and all finish', async () => {
    const { manager, events } = await startObservedManager(ns(), {
      workers: [{ type: 'rated', contentTypes: ['text/rated'], rateLimit: { perSecond: 50 } }],
    });
    const worker = await startTestWorker(ns(), { type: 'rated', concurrency: 50 }, [manager]);
    const connection = await connect(ns().amqpUrl);
    ns().defer(() => connection.close());
    const started = Date.now();
    await publishMany(await connection.createChannel(), ns().names, 'r', 500, 'text/rated');
    await events.waitFor(500, inState('SUCCESS'), 60_000, '500 SUCCESS');
    // A full bucket (burst 50) goes at once, the other 450 at 50 per second: 9 s at the least.
    expect(Date.now() - started).toBeGreaterThanOrEqual(9000);
    expect(worker.jobs).toHaveLength(500);
  }, 90_000);

  it('dispatches nothing while paused (on every replica), lets jobs out finish, and drains on resume', async () => {
    const config = { workers: [{ type: 'pz', contentTypes: ['text/pz'] }] };
    const { manager, events } = await startObservedManager(ns(), config);
    const second = await startTestManager(ns(), config);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = await startTestWorker(
      ns(),
      {
        type: 'pz',
        concurrency: 2,
        handler: async () => {
          await gate;
          return { status: 'SUCCESS', body: Buffer.alloc(0) };
        },
      },
      [manager, second],
    );
    const connection = await connect(ns().amqpUrl);
    ns().defer(() => connection.close());
    const channel = await connection.createChannel();
    await publishMany(channel, ns().names, 'first', 10, 'text/pz');
    // The window of one instance of 2 is 4: four jobs go out and two start.
    await waitFor(() => worker.jobs.length === 2, { what: 'two jobs running' });
    // The ten may arrive in several intake batches: wait until the whole window went out.
    await events.waitFor(4, inState('GRANTED'), 30_000, 'the window of four dispatched');
    await manager.app.get(DispatchControls).pause('pz', 'maintenance', 'test');
    release();
    const outAtPause = 4;
    await events.waitFor(outAtPause, inState('SUCCESS'), 30_000, 'the jobs already out finish');
    await publishMany(channel, ns().names, 'second', 10, 'text/pz');
    // Both replicas try to dispatch (their sweeps claim for every live type) and must not.
    for (const replica of [manager, second]) await replica.app.get(Sweeper).sweep();
    for (const replica of [manager, second]) await replica.app.get(Sweeper).sweep();
    expect(worker.jobs).toHaveLength(outAtPause);
    const state = await second.app.get(DispatchControls).state('pz');
    expect(state).toMatchObject({ paused: true, reason: 'maintenance', by: 'test' });

    await second.app.get(DispatchControls).resume('pz', 'test');
    await events.waitFor(20, inState('SUCCESS'), 60_000, 'everything after resume');
    expect(worker.jobs).toHaveLength(20);
  }, 120_000);
});
