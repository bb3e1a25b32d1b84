import { buildControlOrder, HEADERS } from '@org/protocol';
import { deferred, MessageCollector, useTestNamespace, waitFor } from '@org/testkit';
import {
  createWorker,
  DEADLINE_PASSED_MESSAGE,
  type Worker,
  type WorkerOptions,
} from '@org/worker-sdk';
import { diagnostics } from '@org/worker-sdk/testing';
import {
  allResponses,
  declareManagerTopology,
  finalCount,
  job,
  jobBatch,
  memoryLogger,
  publish,
  workerMessage,
} from './support/broker';

const TYPE = 'ender';

// Real broker round trips; the preset's timeout does not apply when Jest runs from the root.

describe('never run what has ended (design 5.1)', () => {
  const ns = useTestNamespace();
  let worker: Worker | undefined;
  let responses: MessageCollector;
  let workers: MessageCollector;
  const calls: string[] = [];

  beforeEach(async () => {
    calls.length = 0;
    await declareManagerTopology(ns(), TYPE);
    responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
    workers = await MessageCollector.start(ns().channel, ns().names.exchanges.workers);
  });

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  async function startWorker(extra: Partial<WorkerOptions> = {}): Promise<Worker> {
    worker = createWorker({
      type: TYPE,
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      concurrency: 1,
      heartbeatIntervalMs: 100,
      handleSignals: false,
      logger: memoryLogger(),
      handler: (j, ctx) => {
        calls.push(j.requestId);
        return ctx.success();
      },
      ...extra,
    });
    await worker.start();
    return worker;
  }

  const queueDepth = async () =>
    (await ns().channel.checkQueue(ns().names.workerQueue(TYPE))).messageCount;

  const cancel = (requestId: string, attempt: number) =>
    publish(
      ns(),
      buildControlOrder(
        ns().names,
        { target: 'type', workerType: TYPE },
        { order: 'cancel', requestId, attempt, reason: 'requester cancelled' },
      ),
    );

  it('acks a job past its deadline without running it, answers ERROR (not retryable) and counts it', async () => {
    const w = await startWorker();
    await publish(
      ns(),
      job(ns(), TYPE, 'late', { deadline: Date.now() - 1000 }),
      job(ns(), TYPE, 'in-time', { deadline: Date.now() + 3_600_000 }),
    );
    await waitFor(() => finalCount(responses.messages) >= 2, { what: 'two answers' });
    const answers = allResponses(responses.messages);
    expect(answers.find((r) => r.requestId === 'late')).toMatchObject({
      status: 'ERROR',
      messages: [DEADLINE_PASSED_MESSAGE],
      retryable: false,
      attempt: 1,
    });
    expect(answers.find((r) => r.requestId === 'in-time')).toMatchObject({ status: 'SUCCESS' });
    expect(calls).toEqual(['in-time']);
    await waitFor(() => w.stats().processed === 2, { what: 'both answers confirmed' });
    expect(w.stats()).toMatchObject({ expired: 1, processed: 2, failed: 1 });
    const beat = await workers.first(
      (m) => m.fields.routingKey === `heartbeat.${TYPE}` && workerMessage(m).body.expired === 1,
      15_000,
      'a heartbeat counting the expired job',
    );
    expect(workerMessage(beat).body).toMatchObject({ expired: 1, cancelledInQueue: 0 });
    expect(await queueDepth()).toBe(0);
  });

  it('never calls the handler for a job cancelled while it sat in the queue behind a slow job', async () => {
    const slowStarted = deferred();
    const release = deferred();
    const w = await startWorker({
      handler: async (j, ctx) => {
        calls.push(j.requestId);
        if (j.requestId === 'slow') {
          slowStarted.resolve();
          await release.promise;
        }
        return ctx.success();
      },
    });
    // Concurrency 1 (prefetch 1): while "slow" runs, "queued" waits in the broker's queue.
    await publish(
      ns(),
      job(ns(), TYPE, 'slow'),
      job(ns(), TYPE, 'queued'),
      job(ns(), TYPE, 'other'),
    );
    await slowStarted.promise;
    expect(await queueDepth()).toBe(2);
    await cancel('queued', 1);
    await waitFor(() => diagnostics(w).cancelOrders === 1, { what: 'the cancel order received' });
    release.resolve();
    await waitFor(() => finalCount(responses.messages) >= 2 && w.stats().inFlight === 0, {
      what: 'slow and other answered, queued settled',
    });
    expect(calls).toEqual(['slow', 'other']);
    // Acknowledged without an answer: the manager already ended the request.
    expect(
      allResponses(responses.messages)
        .map((r) => r.requestId)
        .sort(),
    ).toEqual(['other', 'slow']);
    expect(w.stats()).toMatchObject({ cancelledInQueue: 1, processed: 2 });
    expect(await queueDepth()).toBe(0);
  });

  it('does the same for a job waiting inside a batch it holds, and only for the cancelled attempt', async () => {
    const slowStarted = deferred();
    const release = deferred();
    const w = await startWorker({
      handler: async (j, ctx) => {
        calls.push(`${j.requestId}#${j.attempt}`);
        if (j.requestId === 'slow') {
          slowStarted.resolve();
          await release.promise;
        }
        return ctx.success();
      },
    });
    await publish(ns(), jobBatch(ns(), TYPE, ['slow', 'held', 'kept'], { attempt: 2 }));
    await slowStarted.promise;
    await cancel('held', 2);
    await cancel('kept', 1); // an older attempt: the current one still runs
    await waitFor(() => diagnostics(w).cancelOrders === 2, { what: 'both cancel orders received' });
    release.resolve();
    await waitFor(() => finalCount(responses.messages) >= 2 && w.stats().inFlight === 0, {
      what: 'the batch settled',
    });
    expect(calls).toEqual(['slow#2', 'kept#2']);
    expect(
      allResponses(responses.messages)
        .map((r) => r.requestId)
        .sort(),
    ).toEqual(['kept', 'slow']);
    expect(w.stats().cancelledInQueue).toBe(1);
    expect(await queueDepth()).toBe(0);
  });

  it('still aborts a running job on a cancel naming its attempt, and remembers it for a redelivery', async () => {
    const aborted = deferred<unknown>();
    await startWorker({
      handler: (j, ctx) => {
        calls.push(j.requestId);
        return new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => {
            aborted.resolve(ctx.signal.reason);
            reject(new Error('stopped'));
          }),
        );
      },
    });
    await publish(ns(), job(ns(), TYPE, 'running', { attempt: 3 }));
    await waitFor(() => calls.length === 1, { what: 'the job running' });
    await cancel('running', 3);
    expect(await aborted.promise).toMatchObject({ kind: 'cancel', detail: 'requester cancelled' });
    await waitFor(() => finalCount(responses.messages) >= 1, { what: 'the cancelled answer' });
    expect(allResponses(responses.messages)[0]).toMatchObject({
      requestId: 'running',
      status: 'ERROR',
      messages: ['cancelled: requester cancelled'],
    });
    // The same attempt delivered again (a redelivery): acknowledged without running.
    await publish(ns(), job(ns(), TYPE, 'running', { attempt: 3 }));
    await waitFor(() => worker!.stats().cancelledInQueue === 1, {
      what: 'the redelivery withdrawn',
    });
    expect(calls).toEqual(['running']);
    expect(
      responses.messages.filter((m) => m.properties.headers?.[HEADERS.requestId] === 'running'),
    ).toHaveLength(1);
  });
});
