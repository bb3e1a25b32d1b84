import { buildParts, childRequestId, HEADERS, PARTS_CONTENT_TYPE } from '@org/protocol';
import { deferred, MessageCollector, useTestNamespace, waitFor } from '@org/testkit';
import { createWorker, type Worker, type WorkerOptions } from '@org/worker-sdk';
import { killWorker } from '@org/worker-sdk/testing';
import {
  allResponses,
  declareManagerTopology,
  finalCount,
  job,
  jobBatch,
  memoryLogger,
  publish,
} from './support/broker';

const TYPE = 'answerer';

// Real broker round trips; the preset's timeout does not apply when Jest runs from the root.

describe('v2 answers: lean RUNNING, output limit, derived child ids, fan-in inputs', () => {
  const ns = useTestNamespace();
  let started: Worker[] = [];
  let responses: MessageCollector;

  beforeEach(async () => {
    await declareManagerTopology(ns(), TYPE);
    responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
  });

  afterEach(async () => {
    await Promise.all(started.map((w) => w.stop()));
    started = [];
  });

  async function startWorker(
    handler: WorkerOptions['handler'],
    extra: Partial<WorkerOptions> = {},
  ): Promise<Worker> {
    const worker = createWorker({
      type: TYPE,
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      concurrency: 4,
      handleSignals: false,
      logger: memoryLogger(),
      handler,
      ...extra,
    });
    started.push(worker);
    await worker.start();
    return worker;
  }

  const statusesOf = (requestId: string) =>
    allResponses(responses.messages)
      .filter((r) => r.requestId === requestId)
      .map((r) => r.status);

  it('sends RUNNING only for a job still running after runningAfterMs: none for short ones, alone or batched', async () => {
    const release = deferred();
    await startWorker(
      async (j, ctx) => {
        if (j.requestId === 'long') await release.promise;
        return ctx.success();
      },
      { runningAfterMs: 200 },
    );
    await publish(
      ns(),
      job(ns(), TYPE, 'short-1'),
      job(ns(), TYPE, 'long'),
      jobBatch(ns(), TYPE, ['short-2', 'short-3']),
    );
    // The long job reports RUNNING once it has run 200 ms; then it is let go.
    await waitFor(() => statusesOf('long').includes('RUNNING'), {
      what: 'RUNNING of the long job',
    });
    release.resolve();
    await waitFor(() => finalCount(responses.messages) >= 4, { what: 'four answers' });
    expect(statusesOf('long')).toEqual(['RUNNING', 'SUCCESS']);
    for (const id of ['short-1', 'short-2', 'short-3']) expect(statusesOf(id)).toEqual(['SUCCESS']);
  });

  it('never sends RUNNING with reportRunning: false, and at once with runningAfterMs: 0', async () => {
    await startWorker((_j, ctx) => ctx.success(), { instanceId: 'never', reportRunning: false });
    await publish(ns(), job(ns(), TYPE, 'quiet'));
    await waitFor(() => finalCount(responses.messages) >= 1, { what: 'the answer' });
    expect(statusesOf('quiet')).toEqual(['SUCCESS']);
    await Promise.all(started.map((w) => w.stop()));
    started = [];
    await startWorker((_j, ctx) => ctx.success(), { instanceId: 'always', runningAfterMs: 0 });
    await publish(ns(), job(ns(), TYPE, 'loud'));
    await waitFor(() => finalCount(responses.messages) >= 2, { what: 'the answer' });
    expect(statusesOf('loud')).toEqual(['RUNNING', 'SUCCESS']);
  });

  it('ends an output over maxPayloadBytes ERROR with the sizes instead of sending it', async () => {
    await startWorker(
      (j, ctx) => ctx.success({ body: Buffer.alloc(j.requestId === 'big' ? 2048 : 1024, 1) }),
      { maxPayloadBytes: 1024 },
    );
    await publish(ns(), job(ns(), TYPE, 'big'), job(ns(), TYPE, 'fits'));
    await waitFor(() => finalCount(responses.messages) >= 2, { what: 'two answers' });
    const answers = allResponses(responses.messages);
    expect(answers.find((r) => r.requestId === 'big')).toMatchObject({
      status: 'ERROR',
      retryable: false,
      body: Buffer.alloc(0),
      messages: [
        'output of 2048 bytes is over the 1024-byte limit (maxPayloadBytes, WM_MAX_PAYLOAD_BYTES); it was not sent',
      ],
    });
    expect(answers.find((r) => r.requestId === 'fits')).toMatchObject({ status: 'SUCCESS' });
    expect(answers.find((r) => r.requestId === 'fits')!.body).toHaveLength(1024);
  });

  it('gives a redelivered parent the same child ids for ctx.submit, with wm-parent-id', async () => {
    const requests = await MessageCollector.start(ns().channel, ns().names.exchanges.requests);
    const firstRunSubmitted = deferred();
    const handler: WorkerOptions['handler'] = async (j, ctx) => {
      const first = await ctx.submit('order/ship', { n: 1 });
      const second = await ctx.submit('order/bill', Buffer.from('x'));
      if (!j.redelivered) {
        firstRunSubmitted.resolve();
        await new Promise(() => undefined); // dies here (the test kills the instance)
      }
      return ctx.success({ json: { first, second } });
    };
    const victim = await startWorker(handler, { instanceId: 'victim', concurrency: 1 });
    await publish(ns(), job(ns(), TYPE, 'parent-1', { step: 2 }));
    await firstRunSubmitted.promise;
    killWorker(victim);
    started = started.filter((w) => w !== victim);
    await startWorker(handler, { instanceId: 'survivor', concurrency: 1 });
    await waitFor(() => finalCount(responses.messages) >= 1, {
      what: 'the redelivered parent answered',
    });

    const submitted = await requests.waitFor(4);
    const ids = submitted.map((m) => String(m.properties.headers?.[HEADERS.requestId]));
    const expected = [childRequestId('parent-1', 2, 0), childRequestId('parent-1', 2, 1)];
    expect(expected).toEqual(['parent-1/2/0', 'parent-1/2/1']);
    // Twice each (first run and redelivery), never a new id: the manager absorbs the second.
    expect(ids).toEqual([...expected, ...expected]);
    expect(submitted.every((m) => m.properties.headers?.[HEADERS.parentId] === 'parent-1')).toBe(
      true,
    );
    expect(JSON.parse(allResponses(responses.messages)[0]!.body.toString())).toEqual({
      first: expected[0],
      second: expected[1],
    });
  });

  it('decodes a fan-in job into job.inputs (step id → body, content type, MIME type, meta) and job.stepId', async () => {
    await startWorker((j, ctx) =>
      ctx.success({
        json: {
          stepId: j.stepId,
          inputs: Object.fromEntries(
            Object.entries(j.inputs ?? {}).map(([step, input]) => [
              step,
              {
                contentType: input.contentType,
                mimeType: input.mimeType,
                meta: input.meta,
                body: input.body.toString(),
              },
            ]),
          ),
          described: j.inputs?.['describe']?.json<{ title: string }>().title,
        },
      }),
    );
    const body = buildParts([
      {
        stepId: 'describe',
        contentType: 'product/described',
        mimeType: 'application/json',
        meta: { lang: 'fr' },
        body: Buffer.from('{"title":"Été"}'),
      },
      { stepId: 'thumbnail', contentType: 'image/png', body: Buffer.from('PNG') },
    ]);
    await publish(
      ns(),
      job(ns(), TYPE, 'fan-in', { stepId: 'publish', step: 3, mimeType: PARTS_CONTENT_TYPE, body }),
      job(ns(), TYPE, 'bad-parts', {
        stepId: 'publish',
        step: 3,
        mimeType: PARTS_CONTENT_TYPE,
        body: Buffer.from('not parts'),
      }),
    );
    await waitFor(() => finalCount(responses.messages) >= 2, { what: 'two answers' });
    const answers = allResponses(responses.messages);
    expect(JSON.parse(answers.find((r) => r.requestId === 'fan-in')!.body.toString())).toEqual({
      stepId: 'publish',
      inputs: {
        describe: {
          contentType: 'product/described',
          mimeType: 'application/json',
          meta: { 'wm-meta-lang': 'fr' },
          body: '{"title":"Été"}',
        },
        thumbnail: { contentType: 'image/png', meta: {}, body: 'PNG' },
      },
      described: 'Été',
    });
    const bad = answers.find((r) => r.requestId === 'bad-parts')!;
    expect(bad.status).toBe('INVALID_CONTENT');
    expect(bad.messages[0]).toMatch(/^body: item 0: header length \d+ at offset 0/);
  });
});
