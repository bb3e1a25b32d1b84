import {
  BATCH_CONTENT_TYPE,
  batchMessages,
  buildJob,
  CONTRACT_VERSION,
  HEADERS,
  isBatch,
} from '@org/protocol';
import { MessageCollector, useTestNamespace, waitFor } from '@org/testkit';
import { createWorker, type Worker, type WorkerOptions } from '@org/worker-sdk';
import { diagnostics } from '@org/worker-sdk/testing';
import {
  allResponses,
  declareManagerTopology,
  finalCount,
  job,
  jobBatch,
  jobInput,
  memoryLogger,
  publish,
  workerMessage,
} from './support/broker';

const TYPE = 'batcher';

// Real broker round trips; the preset's timeout does not apply when Jest runs from the root.

describe('job batch frames (design 5.2)', () => {
  const ns = useTestNamespace();
  let worker: Worker | undefined;
  let responses: MessageCollector;
  let workers: MessageCollector;
  let dead: MessageCollector;

  beforeEach(async () => {
    await declareManagerTopology(ns(), TYPE);
    responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
    workers = await MessageCollector.start(ns().channel, ns().names.exchanges.workers);
    dead = await MessageCollector.start(ns().channel, ns().names.exchanges.dead);
  });

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  async function startWorker(extra: Partial<WorkerOptions> = {}): Promise<Worker> {
    const runs: string[] = [];
    worker = createWorker({
      type: TYPE,
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      instanceId: 'batcher-1',
      concurrency: 8,
      handleSignals: false,
      logger: memoryLogger(),
      handler: (j, ctx) => {
        runs.push(j.requestId);
        return ctx.success({ json: { echo: j.requestId } });
      },
      ...extra,
    });
    await worker.start();
    return worker;
  }

  async function queueDepth(): Promise<number> {
    return (await ns().channel.checkQueue(ns().names.workerQueue(TYPE))).messageCount;
  }

  it('advertises its batch size and contract, serves a batch of 50 under its concurrency, answers in response batches, and acks once', async () => {
    const running: number[] = [];
    let now = 0;
    const w = await startWorker({
      handler: async (j, ctx) => {
        running.push(++now);
        await new Promise((resolve) => setImmediate(resolve));
        now -= 1;
        return ctx.success({ json: { echo: j.requestId } });
      },
    });
    const register = workerMessage(
      await workers.first((m) => m.fields.routingKey === `register.${TYPE}`),
    );
    expect(register.body).toMatchObject({ batch: 100, contract: CONTRACT_VERSION, concurrency: 8 });

    const ids = Array.from({ length: 50 }, (_, index) => `b-${index}`);
    await publish(ns(), jobBatch(ns(), TYPE, ids));
    await waitFor(() => finalCount(responses.messages) >= 50, { what: '50 answers' });
    await w.stop();

    const answers = allResponses(responses.messages);
    // Each request answered exactly once, SUCCESS with its own output; no RUNNING for short jobs.
    expect(answers.map((r) => r.requestId).sort()).toEqual([...ids].sort());
    expect(answers.every((r) => r.status === 'SUCCESS' && r.workerId === 'batcher-1')).toBe(true);
    expect(answers.map((r) => JSON.parse(r.body.toString()) as { echo: string })).toEqual(
      answers.map((r) => ({ echo: r.requestId })),
    );
    // Coalesced: far fewer messages than answers, and batch frames among them.
    expect(responses.messages.length).toBeLessThan(50);
    const frames = responses.messages.filter(isBatch);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames[0]!.properties.contentType).toBe(BATCH_CONTENT_TYPE);
    expect(frames[0]!.fields.routingKey).toBe(`success.${TYPE}`);
    expect(diagnostics(w)).toMatchObject({
      responseBatches: frames.length,
      batchedResponses: frames.reduce(
        (sum, m) => sum + Number(m.properties.headers?.[HEADERS.batch]),
        0,
      ),
    });
    // Never more than `concurrency` handlers at once, and the one message is acked.
    expect(Math.max(...running)).toBeLessThanOrEqual(8);
    expect(await queueDepth()).toBe(0);
    expect(w.stats()).toMatchObject({ processed: 50, failed: 0, inFlight: 0 });
  });

  it('answers a malformed but addressable item INVALID_CONTENT, counts an unaddressable one, and serves the rest', async () => {
    const w = await startWorker();
    const broken = buildJob(ns().names, jobInput(TYPE, 'broken'));
    delete broken.options.headers[HEADERS.contentType];
    const anonymous = buildJob(ns().names, jobInput(TYPE, 'anonymous'));
    delete anonymous.options.headers[HEADERS.requestId];
    const [batch] = batchMessages(
      [
        buildJob(ns().names, jobInput(TYPE, 'good-1')),
        broken,
        anonymous,
        buildJob(ns().names, jobInput(TYPE, 'good-2')),
      ],
      () => ({ exchange: ns().names.exchanges.jobs, routingKey: TYPE }),
    );
    await publish(ns(), batch!.message);
    await waitFor(() => finalCount(responses.messages) >= 3, { what: 'three answers' });
    await w.stop();
    const answers = allResponses(responses.messages);
    expect(answers.map((r) => [r.requestId, r.status]).sort()).toEqual([
      ['broken', 'INVALID_CONTENT'],
      ['good-1', 'SUCCESS'],
      ['good-2', 'SUCCESS'],
    ]);
    expect(answers.find((r) => r.requestId === 'broken')!.messages).toEqual([
      'headers.wm-content-type: is required',
    ]);
    expect(w.stats()).toMatchObject({ malformed: 1, processed: 3, failed: 1 });
    // The batch itself was fine: acked, nothing dead-lettered.
    expect(await queueDepth()).toBe(0);
    expect(dead.messages).toHaveLength(0);
  });

  it('rejects a malformed frame whole to the dead-letter exchange; healthy traffic goes on', async () => {
    const w = await startWorker();
    const batch = jobBatch(ns(), TYPE, ['t-1', 't-2']);
    const truncated = { ...batch, content: batch.content.subarray(0, batch.content.length - 5) };
    await publish(ns(), truncated, job(ns(), TYPE, 'single-after'));
    const deadLettered = await dead.first(() => true, 15_000, 'the malformed frame, dead-lettered');
    expect(deadLettered.properties.contentType).toBe(BATCH_CONTENT_TYPE);
    await waitFor(() => finalCount(responses.messages) >= 1, { what: 'the single job answered' });
    expect(allResponses(responses.messages).map((r) => [r.requestId, r.status])).toEqual([
      ['single-after', 'SUCCESS'],
    ]);
    expect(w.stats().malformed).toBe(1);
  });

  it('with batch: 1 advertises nothing (v1) and still serves single jobs with single answers', async () => {
    await startWorker({ batch: 1 });
    const register = workerMessage(
      await workers.first((m) => m.fields.routingKey === `register.${TYPE}`),
    );
    expect(register.body.batch).toBeUndefined();
    expect(register.body.contract).toBe(CONTRACT_VERSION);
    await publish(ns(), ...['v1-a', 'v1-b', 'v1-c'].map((id) => job(ns(), TYPE, id)));
    await waitFor(() => finalCount(responses.messages) >= 3, { what: 'three answers' });
    // v1 jobs get v1 answers: one message each, never a batch (a v1 manager could not read one).
    expect(responses.messages.some(isBatch)).toBe(false);
    expect(
      allResponses(responses.messages)
        .map((r) => r.requestId)
        .sort(),
    ).toEqual(['v1-a', 'v1-b', 'v1-c']);
  });
});
