import { HEADERS } from '@org/protocol';
import { deferred, MessageCollector, useTestNamespace, waitFor } from '@org/testkit';
import { createWorker, type Worker } from '@org/worker-sdk';
import { destroySocket, diagnostics, waitForSetups } from '@org/worker-sdk/testing';
import {
  allResponses,
  declareManagerTopology,
  finalCount,
  job,
  jobBatch,
  memoryLogger,
  publish,
  response,
  statusOf,
} from './support/broker';

const TYPE = 'fragile';

// Real broker round trips; the preset's timeout does not apply when Jest runs from the root.

describe('connection loss mid-job', () => {
  const ns = useTestNamespace();
  let worker: Worker | undefined;

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it('reconnects, gets the job redelivered, and drops the stale ack instead of sending it on the new channel', async () => {
    await declareManagerTopology(ns(), TYPE);
    const responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
    const firstStarted = deferred();
    const releaseFirst = deferred();
    const runs: Array<{ redelivered: boolean; deliveryCount: number }> = [];
    const logger = memoryLogger();
    worker = createWorker({
      type: TYPE,
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      concurrency: 1,
      handleSignals: false,
      reportRunning: false,
      logger,
      handler: async (j, ctx) => {
        runs.push({ redelivered: j.redelivered, deliveryCount: j.deliveryCount });
        const run = runs.length;
        if (j.requestId === 'fragile-1' && run === 1) {
          firstStarted.resolve();
          await releaseFirst.promise;
        }
        return ctx.success({ json: { run } });
      },
    });
    await worker.start();
    await publish(ns(), job(ns(), TYPE, 'fragile-1'));
    await firstStarted.promise;

    expect(destroySocket(worker)).toEqual(['fragile-1']);
    await waitForSetups(worker, 2);
    // The broker requeued the unacked job when the connection died; the new channel gets it
    // (delivery tag 1 again), and it is answered and acked there first.
    const isSuccessOf = (run: number) => (m: Parameters<typeof statusOf>[0]) =>
      statusOf(m) === 'SUCCESS' &&
      (JSON.parse(m.content.toString()) as { run: number }).run === run;
    const second = response(
      await responses.first(isSuccessOf(2), 15_000, 'the answer of the redelivered run'),
    );
    expect(second).toMatchObject({ requestId: 'fragile-1', attempt: 1, status: 'SUCCESS' });
    expect(runs[1]).toEqual({ redelivered: true, deliveryCount: 1 });

    // Now the first run finishes. Its response still goes out (at least once), but its ack
    // (tag 1 of a dead channel) must not be sent on the new channel: there it would be an
    // "unknown delivery tag" channel error, or ack another message.
    releaseFirst.resolve();
    await responses.first(isSuccessOf(1), 15_000, 'the answer of the first run');
    await waitFor(() => worker!.stats().inFlight === 0, { what: 'the first run to be settled' });

    // The channel is healthy: a new job is answered and acked on it.
    await publish(ns(), job(ns(), TYPE, 'after-1'));
    await responses.first(
      (m) => m.properties.headers?.[HEADERS.requestId] === 'after-1',
      15_000,
      'the answer of after-1',
    );
    await worker.stop();
    expect(diagnostics(worker)).toEqual({
      setups: 2,
      channelErrors: 0,
      droppedSettlements: 1,
      responseBatches: 0,
      batchedResponses: 0,
      cancelOrders: 0,
    });
    expect(logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
    const { messageCount } = await ns().channel.checkQueue(ns().names.workerQueue(TYPE));
    expect(messageCount).toBe(0);
  });

  it('after a reconnect, drops the waiting jobs of a batch from the dead channel and settles it once its running job ends', async () => {
    await declareManagerTopology(ns(), TYPE);
    const responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
    const firstStarted = deferred();
    const releaseFirst = deferred();
    const runs: string[] = [];
    worker = createWorker({
      type: TYPE,
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      concurrency: 1,
      handleSignals: false,
      logger: memoryLogger(),
      handler: async (j, ctx) => {
        runs.push(`${j.requestId}${j.redelivered ? ' again' : ''}`);
        if (runs.length === 1) {
          firstStarted.resolve();
          await releaseFirst.promise;
        }
        return ctx.success();
      },
    });
    await worker.start();
    await publish(ns(), jobBatch(ns(), TYPE, ['a', 'b', 'c']));
    await firstStarted.promise;
    // "a" runs, "b" and "c" wait for the only slot; then the connection dies.
    destroySocket(worker);
    await waitForSetups(worker, 2);
    // The redelivered batch runs on the new channel although the stale "a" still holds its handler.
    await waitFor(() => finalCount(responses.messages) >= 3, {
      what: 'the redelivered batch answered',
    });
    expect(runs).toEqual(['a', 'a again', 'b again', 'c again']);
    // The stale "b" and "c" never ran; once the stale "a" ends, its message is settled (dropped).
    releaseFirst.resolve();
    await waitFor(() => worker!.stats().inFlight === 0 && finalCount(responses.messages) === 4, {
      what: 'the stale answer out and nothing left in flight',
    });
    expect(runs).toHaveLength(4);
    await worker.stop();
    expect(diagnostics(worker).droppedSettlements).toBe(1);
    expect(
      allResponses(responses.messages)
        .map((r) => r.requestId)
        .sort(),
    ).toEqual(['a', 'a', 'b', 'c']);
    const { messageCount } = await ns().channel.checkQueue(ns().names.workerQueue(TYPE));
    expect(messageCount).toBe(0);
  });
});
