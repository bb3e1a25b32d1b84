import { connect } from 'amqplib';
import { HEADERS } from '@org/protocol';
import { header, inState, TcpProxy, useTestNamespace, waitFor } from '@org/testkit';
import { Dispatcher } from '../src/requests/dispatch/dispatcher.service';
import { publishMany } from './support/publish-many';
import { startObservedManager, startTestWorker } from './support/harness';

const REQUESTS = 600;

describe('confirms that stall (design 5.1: never run what is still being dispatched)', () => {
  const ns = useTestNamespace();

  it('runs each request once when the broker confirms nothing for 20 s, and loses none', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(ns().amqpUrl).port || 5672));
    ns().defer(() => proxy.close());
    // The manager reaches the broker through the proxy; the worker and the test do not.
    const { manager, events } = await startObservedManager(
      ns(),
      { workers: [{ type: 'stall', contentTypes: ['text/stall'] }] },
      { amqpUrl: proxy.proxiedUrl(ns().amqpUrl), dispatchLeaseMs: 2000 },
    );
    const worker = await startTestWorker(ns(), { type: 'stall', concurrency: 8 }, [manager]);
    const connection = await connect(ns().amqpUrl);
    ns().defer(() => connection.close());
    const channel = await connection.createChannel();
    await publishMany(channel, ns().names, 'a', REQUESTS / 2, 'text/stall');
    await events.waitFor(20, inState('SUCCESS'), 30_000, 'the flow started');

    proxy.holdClientFrames();
    const dispatcher = manager.app.get(Dispatcher);
    // Jobs published into the stall wait for confirms that cannot come.
    await waitFor(() => dispatcher.pendingKeys().length > 0 && proxy.heldFrames > 0, {
      what: 'job publishes held without confirm',
    });
    await publishMany(channel, ns().names, 'b', REQUESTS / 2, 'text/stall');
    // The fault lasts 20 s (ten 2 s leases): a duration to inject, not an outcome to wait for.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    expect(proxy.heldFrames).toBeGreaterThan(0);
    proxy.restore();

    await events.waitFor(REQUESTS, inState('SUCCESS'), 90_000, `${REQUESTS} SUCCESS`);
    const counts = new Map<string, number>();
    for (const job of worker.jobs) counts.set(job.requestId, (counts.get(job.requestId) ?? 0) + 1);
    const twice = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
    expect(twice).toEqual([]);
    expect(counts.size).toBe(REQUESTS);
    const succeeded = new Set(
      events
        .matching(inState('SUCCESS'))
        .map((message) => String(header(message, HEADERS.requestId))),
    );
    expect(succeeded.size).toBe(REQUESTS);
  }, 180_000);
});
