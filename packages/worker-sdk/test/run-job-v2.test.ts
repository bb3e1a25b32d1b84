import { HEADERS } from '@org/protocol';
import {
  createWorker,
  defineWorker,
  DEADLINE_PASSED_MESSAGE,
  WorkerStartError,
} from '@org/worker-sdk';
import { runJob } from '@org/worker-sdk/testing';

describe('runJob with the v2 job fields', () => {
  const assembler = defineWorker({
    type: 'assembler',
    handler: (job, ctx) =>
      ctx.success({
        json: {
          stepId: job.stepId,
          steps: Object.keys(job.inputs ?? {}),
          title: job.inputs?.['describe']?.json<{ title: string }>().title,
          thumbnail: job.inputs?.['thumbnail']?.body.toString(),
          meta: job.inputs?.['thumbnail']?.meta,
        },
      }),
  });

  it('builds a fan-in job from inputs, which the handler reads as job.inputs', async () => {
    const run = await runJob(assembler, {
      stepId: 'publish',
      inputs: {
        describe: { json: { title: 'Harbour' }, contentType: 'product/described' },
        thumbnail: { body: 'PNG…', contentType: 'image/png', meta: { width: '64' } },
      },
    });
    expect(run.status).toBe('SUCCESS');
    expect(run.json()).toEqual({
      stepId: 'publish',
      steps: ['describe', 'thumbnail'],
      title: 'Harbour',
      thumbnail: 'PNG…',
      meta: { 'wm-meta-width': '64' },
    });
  });

  it('answers ERROR without running the handler when the deadline has passed', async () => {
    const handler = jest.fn();
    const run = await runJob(defineWorker({ type: 'late', handler }), {
      deadline: new Date(Date.now() - 1),
    });
    expect(run).toMatchObject({
      status: 'ERROR',
      messages: [DEADLINE_PASSED_MESSAGE],
      retryable: false,
    });
    expect(handler).not.toHaveBeenCalled();
    const inTime = await runJob(
      defineWorker({ type: 'late', handler: (j, ctx) => ctx.success({ json: j.deadline }) }),
      {
        deadline: Date.now() + 60_000,
      },
    );
    expect(inTime.status).toBe('SUCCESS');
  });

  it('derives ctx.submit ids from the parent, its step and the index, and names the parent', async () => {
    const submitter = defineWorker({
      type: 'submitter',
      handler: async (_job, ctx) => {
        await ctx.submit('a/b', { n: 1 });
        await ctx.submit('a/b', { n: 2 }, { requestId: 'chosen' });
        await ctx.submit('a/b', { n: 3 });
        return ctx.success();
      },
    });
    const byStep = await runJob(submitter, { requestId: 'parent', step: 1 });
    expect(byStep.submitted.map((request) => request.requestId)).toEqual([
      'parent/1/0',
      'chosen',
      'parent/1/2',
    ]);
    expect(
      byStep.submitted.every(
        (request) => request.message.options.headers[HEADERS.parentId] === 'parent',
      ),
    ).toBe(true);
    const byStepId = await runJob(submitter, { requestId: 'parent', stepId: 'describe' });
    expect(byStepId.submitted[0]!.requestId).toBe('parent/describe/0');
  });

  it('turns an output over maxPayloadBytes into ERROR', async () => {
    const run = await runJob(
      defineWorker({
        type: 'big',
        maxPayloadBytes: 10,
        handler: (_j, ctx) => ctx.success({ body: Buffer.alloc(11) }),
      }),
    );
    expect(run.status).toBe('ERROR');
    expect(run.messages[0]).toContain('output of 11 bytes is over the 10-byte limit');
  });

  it('refuses a payload class on a fan-in job with a clear reason', async () => {
    class Payload {}
    const run = await runJob(
      defineWorker({ type: 'typed', payload: Payload, handler: (_j, ctx) => ctx.success() }),
      {
        inputs: { a: { body: 'x' } },
      },
    );
    expect(run.status).toBe('INVALID_CONTENT');
    expect(run.messages[0]).toContain("a fan-in job's body is its parents' outputs as parts");
  });
});

describe('v2 options', () => {
  const handler = () => ({ status: 'SUCCESS' as const, body: Buffer.alloc(0), meta: {} });

  it('are checked with the others, every problem listed', () => {
    expect(() =>
      createWorker({
        type: 'x',
        handler,
        batch: 1001,
        runningAfterMs: -1,
        maxPayloadBytes: 0,
        amqpUrl: 'http://u:pw@h',
      }),
    ).toThrow(
      /runningAfterMs must be an integer of at least 0, got -1[\s\S]*batch must be at most 1000, got 1001[\s\S]*maxPayloadBytes must be a positive integer[\s\S]*amqpUrl "http:\/\/u:\*\*\*@h\/?" must use amqp: or amqps:/,
    );
  });

  it('read WM_MAX_PAYLOAD_BYTES and accept several comma-separated broker URLs', async () => {
    const saved = { ...process.env };
    process.env['WM_MAX_PAYLOAD_BYTES'] = '5';
    process.env['AMQP_URL'] = 'amqp://127.0.0.1:1,amqp://127.0.0.1:2';
    try {
      const run = await runJob(
        defineWorker({ type: 'env', handler: (_j, ctx) => ctx.success({ body: Buffer.alloc(6) }) }),
      );
      expect(run.messages[0]).toContain('over the 5-byte limit');
      // Unreachable brokers: start() gives up after startTimeoutMs with a typed error.
      const worker = createWorker({
        type: 'env',
        handler,
        handleSignals: false,
        startTimeoutMs: 300,
        logger: silent,
      });
      const failure = await worker.start().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WorkerStartError);
      expect(failure).toMatchObject({ reason: 'unreachable', refused: false });
      expect((failure as Error).message).toMatch(
        /could not start on amqp:\/\/127\.0\.0\.1:1,amqp:\/\/127\.0\.0\.1:2 .*no broker answered at .* within 300 ms/,
      );
      expect(worker.stats().state).toBe('stopped');
    } finally {
      process.env = saved;
    }
  });
});

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
