import { IsString, MaxLength } from 'class-validator';
import { deferred, MessageCollector, useTestNamespace, waitFor } from '@org/testkit';
import { createWorker, WorkerStartError, type Worker } from '@org/worker-sdk';
import {
  declareManagerTopology,
  job,
  memoryLogger,
  publish,
  response,
  statusOf,
  workerMessage,
} from './support/broker';

class LabelJob {
  @IsString() @MaxLength(20) label!: string;
}

const TYPE = 'labeller';
const INTERVAL_MS = 200;

// Real broker round trips; the preset's timeout does not apply when Jest runs from the root.

describe('registration, heartbeats and shutdown', () => {
  const ns = useTestNamespace();
  let worker: Worker | undefined;

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    jest.restoreAllMocks();
  });

  it('registers with its schema, beats every interval with live stats, and unregisters on stop', async () => {
    await declareManagerTopology(ns(), TYPE);
    const workers = await MessageCollector.start(ns().channel, ns().names.exchanges.workers);
    const responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
    const release = deferred();
    worker = createWorker({
      type: TYPE,
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      concurrency: 2,
      heartbeatIntervalMs: INTERVAL_MS,
      version: '1.2.3',
      description: 'labels things',
      contentTypes: ['thing/raw'],
      payload: LabelJob,
      handleSignals: false,
      logger: memoryLogger(),
      handler: async (j, ctx) => {
        if (j.payload.label === 'slow') await release.promise;
        return j.payload.label === 'fail'
          ? ctx.error('no ink')
          : ctx.success({ json: { labelled: j.payload.label } });
      },
    });
    await worker.start();

    const register = workerMessage(
      await workers.first((m) => m.fields.routingKey === `register.${TYPE}`),
    );
    expect(register.body).toMatchObject({
      id: worker.instanceId,
      type: TYPE,
      status: 'ready',
      version: '1.2.3',
      description: 'labels things',
      contentTypes: ['thing/raw'],
      concurrency: 2,
      pid: process.pid,
      inFlight: 0,
      processed: 0,
      failed: 0,
    });
    expect(register.body.schema).toMatchObject({
      title: 'LabelJob',
      type: 'object',
      properties: { label: { type: 'string', maxLength: 20 } },
      required: ['label'],
    });

    // A job in flight shows in the next heartbeat.
    await publish(ns(), job(ns(), TYPE, 'slow-1', { body: Buffer.from('{"label":"slow"}') }));
    const busy = await workers.first(
      (m) => m.fields.routingKey === `heartbeat.${TYPE}` && workerMessage(m).body.inFlight === 1,
    );
    expect(workerMessage(busy).body).toMatchObject({ status: 'ready', inFlight: 1, processed: 0 });
    release.resolve();

    await publish(
      ns(),
      job(ns(), TYPE, 'ok-1', { body: Buffer.from('{"label":"a"}') }),
      job(ns(), TYPE, 'fail-1', { body: Buffer.from('{"label":"fail"}') }),
    );
    await responses.waitFor(3, (m) => statusOf(m) !== 'RUNNING');
    const settled = workerMessage(
      await workers.first(
        (m) => m.fields.routingKey === `heartbeat.${TYPE}` && workerMessage(m).body.processed === 3,
      ),
    ).body;
    expect(settled).toMatchObject({
      status: 'ready',
      inFlight: 0,
      processed: 3,
      failed: 1,
      concurrency: 2,
      version: '1.2.3',
    });
    expect(settled.avgDurationMs).toBeGreaterThanOrEqual(0);
    expect(settled.rssBytes).toBeGreaterThan(10_000_000);
    expect(settled.cpu).toBeGreaterThanOrEqual(0);
    expect(settled.schema).toBeUndefined();
    expect(worker.stats()).toMatchObject({
      state: 'running',
      status: 'ready',
      processed: 3,
      failed: 1,
      inFlight: 0,
    });

    // Heartbeats come at the configured interval: time six consecutive arrivals.
    const arrivals: number[] = [];
    const { queue } = await ns().channel.assertQueue('', { exclusive: true, autoDelete: true });
    await ns().channel.bindQueue(queue, ns().names.exchanges.workers, `heartbeat.${TYPE}`);
    await ns().channel.consume(queue, () => void arrivals.push(performance.now()), { noAck: true });
    await waitFor(() => arrivals.length >= 6, { what: 'six heartbeats' });
    const gaps = arrivals.slice(1, 6).map((t, i) => t - arrivals[i]!);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(INTERVAL_MS * 0.5);
      expect(gap).toBeLessThan(INTERVAL_MS * 2.5);
    }

    await worker.stop();
    const unregister = workerMessage(
      await workers.first((m) => m.fields.routingKey === `unregister.${TYPE}`),
    );
    expect(unregister.body).toMatchObject({
      id: worker.instanceId,
      status: 'draining',
      processed: 3,
      inFlight: 0,
    });
    const count = workers.messages.length;
    expect(worker.stats().state).toBe('stopped');
    // Nothing is sent after unregister.
    await publish(ns(), job(ns(), TYPE, 'late', { body: Buffer.from('{"label":"x"}') }));
    expect(workers.messages).toHaveLength(count);
    expect((await ns().channel.checkQueue(ns().names.workerQueue(TYPE))).consumerCount).toBe(0);
  });

  it('on SIGTERM stops every worker of the process (in-flight jobs finish), unregisters, then exits 0', async () => {
    await declareManagerTopology(ns(), TYPE, 'second');
    const workers = await MessageCollector.start(ns().channel, ns().names.exchanges.workers);
    const responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
    const exited = deferred<{ code: number; states: string[] }>();
    const started = deferred();
    const release = deferred();
    const common = { namespace: ns().name, amqpUrl: ns().amqpUrl, logger: memoryLogger() };
    worker = createWorker({
      ...common,
      type: TYPE,
      handler: async (_j, ctx) => {
        started.resolve();
        await release.promise;
        return ctx.success({ body: Buffer.from('finished') });
      },
    });
    const second = createWorker({ ...common, type: 'second', handler: (_j, ctx) => ctx.success() });
    const both = [worker, second];
    jest.spyOn(process, 'exit').mockImplementation((code) => {
      exited.resolve({ code: Number(code), states: both.map((w) => w.stats().state) });
      return undefined as never;
    });
    await Promise.all(both.map((w) => w.start()));
    expect(process.listenerCount('SIGTERM')).toBe(1);
    await publish(ns(), job(ns(), TYPE, 'inflight-1'), job(ns(), TYPE, 'queued-1'));
    await started.promise;
    process.emit('SIGTERM', 'SIGTERM');
    await workers.first(
      (m) => workerMessage(m).body.type === TYPE && workerMessage(m).body.status === 'draining',
      15_000,
      'a draining heartbeat',
    );
    expect(worker.stats()).toMatchObject({ state: 'stopping', inFlight: 1 });
    release.resolve();
    expect(await exited.promise).toEqual({ code: 0, states: ['stopped', 'stopped'] });
    const answered = responses
      .matching((m) => statusOf(m) === 'SUCCESS')
      .map((m) => response(m).requestId);
    expect(answered).toEqual(['inflight-1']);
    const unregistered = workers.matching((m) => m.fields.routingKey.startsWith('unregister.'));
    expect(unregistered.map((m) => m.fields.routingKey).sort()).toEqual([
      'unregister.labeller',
      'unregister.second',
    ]);
    // The job it had not started is still queued for another replica.
    expect((await ns().channel.checkQueue(ns().names.workerQueue(TYPE))).messageCount).toBe(1);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('after the grace period aborts in-flight jobs and requeues them for another replica', async () => {
    await declareManagerTopology(ns(), TYPE);
    const responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
    const reasons: unknown[] = [];
    const stuckStarted = deferred();
    const options = {
      type: TYPE,
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      handleSignals: false,
      reportRunning: false,
      logger: memoryLogger(),
    };
    worker = createWorker({
      ...options,
      shutdownGraceMs: 300,
      handler: (_j, ctx) =>
        new Promise<never>((_resolve, reject) => {
          stuckStarted.resolve();
          ctx.signal.addEventListener('abort', () => {
            reasons.push(ctx.signal.reason);
            reject(new Error('interrupted'));
          });
        }),
    });
    await worker.start();
    await publish(ns(), job(ns(), TYPE, 'stuck-1'));
    await stuckStarted.promise;
    await worker.stop();
    expect(reasons).toEqual([
      expect.objectContaining({ name: 'JobAbortedError', kind: 'shutdown' }),
    ]);
    expect(responses.messages).toHaveLength(0);
    expect((await ns().channel.checkQueue(ns().names.workerQueue(TYPE))).messageCount).toBe(1);

    const seen: Array<{ redelivered: boolean; deliveryCount: number }> = [];
    worker = createWorker({
      ...options,
      handler: (j, ctx) => {
        seen.push({ redelivered: j.redelivered, deliveryCount: j.deliveryCount });
        return ctx.success();
      },
    });
    await worker.start();
    expect(response(await responses.first(() => true))).toMatchObject({
      requestId: 'stuck-1',
      status: 'SUCCESS',
    });
    expect(seen).toEqual([{ redelivered: true, deliveryCount: 1 }]);
  });
});

describe('start failures', () => {
  const ns = useTestNamespace();

  it("with declareQueue 'check' refuses to start when the manager has not declared the queue", async () => {
    const worker = createWorker({
      type: 'undeclared',
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      declareQueue: 'check',
      handleSignals: false,
      logger: memoryLogger(),
      handler: (_j, ctx) => ctx.success(),
    });
    const failure = worker.start();
    await expect(failure).rejects.toThrow(/could not start .*does not exist.*NOT_FOUND/s);
    await expect(failure).rejects.toMatchObject({
      name: 'WorkerStartError',
      reason: 'not-found',
      refused: true,
      replyCode: 404,
    });
    expect(worker.stats().state).toBe('stopped');
    await worker.stop();
  });

  it('tells a refused login (auth) from the rest, without printing the password', async () => {
    const url = new URL(ns().amqpUrl);
    url.password = 'surely-not-the-password';
    const worker = createWorker({
      type: 'locked-out',
      namespace: ns().name,
      amqpUrl: url.toString(),
      handleSignals: false,
      logger: memoryLogger(),
      handler: (_j, ctx) => ctx.success(),
    });
    const failure = await worker.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkerStartError);
    expect(failure).toMatchObject({ reason: 'auth', refused: true, replyCode: 403 });
    expect((failure as Error).message).toContain('the broker refused the credentials');
    expect((failure as Error).message).not.toContain('surely-not-the-password');
    expect(worker.stats().state).toBe('stopped');
  });

  it('reports a queue declared with other arguments as a precondition refusal', async () => {
    ns().workerTypes.add('mismatched');
    await ns().channel.assertQueue(ns().names.workerQueue('mismatched'), { durable: true });
    const worker = createWorker({
      type: 'mismatched',
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      handleSignals: false,
      logger: memoryLogger(),
      handler: (_j, ctx) => ctx.success(),
    });
    await expect(worker.start()).rejects.toMatchObject({
      name: 'WorkerStartError',
      reason: 'precondition',
      replyCode: 406,
    });
  });
});
