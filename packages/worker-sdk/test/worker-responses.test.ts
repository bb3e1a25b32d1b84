import { IsInt, IsString, Min } from 'class-validator';
import { buildControlOrder, HEADERS, type ResponseMessage } from '@org/protocol';
import { deferred, MessageCollector, useTestNamespace } from '@org/testkit';
import { createWorker, type Worker, type WorkerOptions } from '@org/worker-sdk';
import {
  declareManagerTopology,
  job,
  memoryLogger,
  publish,
  response,
  statusOf,
  workerMessage,
} from './support/broker';

class OrderJob {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

const TYPE = 'order-taker';

// Real broker round trips; the preset's timeout does not apply when Jest runs from the root.

describe('worker responses on the wire', () => {
  const ns = useTestNamespace();
  let worker: Worker | undefined;
  let responses: MessageCollector;
  let workers: MessageCollector;

  beforeEach(async () => {
    await declareManagerTopology(ns(), TYPE);
    responses = await MessageCollector.start(ns().channel, ns().names.exchanges.responses);
    workers = await MessageCollector.start(ns().channel, ns().names.exchanges.workers);
  });

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  async function startWorker(
    handler: WorkerOptions<OrderJob>['handler'],
    extra: Partial<WorkerOptions<OrderJob>> = {},
  ): Promise<Worker> {
    worker = createWorker<OrderJob>({
      type: TYPE,
      namespace: ns().name,
      amqpUrl: ns().amqpUrl,
      instanceId: 'taker-1',
      handleSignals: false,
      logger: memoryLogger(),
      handler,
      ...extra,
    });
    await worker.start();
    return worker;
  }

  const finalFor = async (requestId: string): Promise<ResponseMessage> =>
    response(
      await responses.first(
        (m) =>
          m.properties.headers?.[HEADERS.requestId] === requestId &&
          statusOf(m) !== 'RUNNING' &&
          statusOf(m) !== 'PROGRESS',
        15_000,
        `final response of ${requestId}`,
      ),
    );

  /** After stop, nothing is left in the queue: every job was acked, none requeued. */
  async function expectQueueEmptyAfterStop(): Promise<void> {
    await worker?.stop();
    const { messageCount } = await ns().channel.checkQueue(ns().names.workerQueue(TYPE));
    expect(messageCount).toBe(0);
  }

  it('answers RUNNING, PROGRESS and SUCCESS with the payload, echoing the job, then acks it', async () => {
    await startWorker(
      async (j, ctx) => {
        await ctx.progress(40);
        return ctx.success({
          contentType: 'order/accepted',
          json: { sku: j.payload.sku, total: j.payload.quantity * 2 },
          meta: { warehouse: 'north' },
        });
      },
      { payload: OrderJob, progressThrottleMs: 0, runningAfterMs: 0 },
    );
    await publish(
      ns(),
      job(ns(), TYPE, 'ok-1', {
        attempt: 3,
        step: 1,
        workflow: 'orders',
        tenant: 'acme',
        body: Buffer.from('{"sku":"A1","quantity":2}'),
      }),
    );
    const final = await finalFor('ok-1');
    expect(final).toMatchObject({
      requestId: 'ok-1',
      attempt: 3,
      step: 1,
      status: 'SUCCESS',
      workerType: TYPE,
      workerId: 'taker-1',
      contentType: 'order/accepted',
      mimeType: 'application/json',
      correlationId: 'ok-1',
      meta: { 'wm-meta-warehouse': 'north' },
      messages: [],
    });
    expect(JSON.parse(final.body.toString())).toEqual({ sku: 'A1', total: 4 });
    const all = responses
      .matching((m) => m.properties.headers?.[HEADERS.requestId] === 'ok-1')
      .map(response);
    expect(all.map((r) => r.status)).toEqual(['RUNNING', 'PROGRESS', 'SUCCESS']);
    expect(all[1]).toMatchObject({ progress: 40, attempt: 3 });
    expect(responses.messages.find((m) => statusOf(m) === 'SUCCESS')!.fields.routingKey).toBe(
      `success.${TYPE}`,
    );
    await expectQueueEmptyAfterStop();
  });

  it('answers ERROR with the message of a thrown error', async () => {
    await startWorker(
      () => {
        throw new Error('database unreachable');
      },
      { reportRunning: false },
    );
    await publish(ns(), job(ns(), TYPE, 'throw-1'));
    expect(await finalFor('throw-1')).toMatchObject({
      status: 'ERROR',
      messages: ['database unreachable'],
      retryable: false,
      attempt: 1,
      body: Buffer.alloc(0),
    });
    expect(responses.messages).toHaveLength(1);
    await expectQueueEmptyAfterStop();
  });

  it('answers INVALID_CONTENT with the reasons the handler returns, and ERROR retryable when asked', async () => {
    await startWorker((j, ctx) =>
      j.requestId === 'inv-1'
        ? ctx.invalid(['sku unknown', 'quantity too large'])
        : ctx.error('busy', { retryable: true }),
    );
    await publish(ns(), job(ns(), TYPE, 'inv-1'), job(ns(), TYPE, 'err-1'));
    expect(await finalFor('inv-1')).toMatchObject({
      status: 'INVALID_CONTENT',
      messages: ['sku unknown', 'quantity too large'],
    });
    expect(await finalFor('err-1')).toMatchObject({
      status: 'ERROR',
      messages: ['busy'],
      retryable: true,
    });
    const invalid = responses.messages.find((m) => statusOf(m) === 'INVALID_CONTENT')!;
    expect(invalid.fields.routingKey).toBe(`invalid_content.${TYPE}`);
    await expectQueueEmptyAfterStop();
  });

  it('answers INVALID_CONTENT listing every payload violation, without running the handler', async () => {
    const handler = jest.fn();
    await startWorker(handler, { payload: OrderJob });
    await publish(
      ns(),
      job(ns(), TYPE, 'bad-payload', { body: Buffer.from('{"sku":5,"quantity":0}') }),
    );
    expect(await finalFor('bad-payload')).toMatchObject({
      status: 'INVALID_CONTENT',
      messages: ['body.sku: must be a string', 'body.quantity: must not be less than 1'],
    });
    expect(handler).not.toHaveBeenCalled();
    await expectQueueEmptyAfterStop();
  });

  it('answers INVALID_CONTENT for a job breaking the contract, and dead-letters one it cannot address', async () => {
    const dead = await MessageCollector.start(ns().channel, ns().names.exchanges.dead);
    const handler = jest.fn();
    await startWorker(handler);
    const broken = job(ns(), TYPE, 'broken-1');
    delete broken.options.headers[HEADERS.contentType];
    const anonymous = job(ns(), TYPE, 'anonymous');
    delete anonymous.options.headers[HEADERS.requestId];
    await publish(ns(), broken, anonymous);
    expect(await finalFor('broken-1')).toMatchObject({
      status: 'INVALID_CONTENT',
      messages: ['headers.wm-content-type: is required'],
      attempt: 1,
    });
    const deadLettered = await dead.first(
      () => true,
      15_000,
      'the unaddressable job on the dead-letter exchange',
    );
    expect(deadLettered.fields.routingKey).toBe(TYPE);
    expect(deadLettered.properties.messageId).toBe('anonymous#1');
    expect(handler).not.toHaveBeenCalled();
    await expectQueueEmptyAfterStop();
  });

  it('cancels a running job by order: its signal aborts, it answers ERROR "cancelled" and is acked', async () => {
    const aborted = deferred<unknown>();
    await startWorker(
      (_job, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted.resolve(ctx.signal.reason);
            reject(new Error('stopped working'));
          });
        }),
      { runningAfterMs: 0 },
    );
    await publish(ns(), job(ns(), TYPE, 'long-1'));
    await responses.first((m) => statusOf(m) === 'RUNNING', 15_000, 'RUNNING of long-1');
    // Cancels are broadcast to every instance of the type: the manager does not know who holds the job.
    await publish(
      ns(),
      buildControlOrder(
        ns().names,
        { target: 'type', workerType: TYPE },
        { order: 'cancel', requestId: 'long-1', reason: 'requester gave up' },
      ),
    );
    expect(await aborted.promise).toMatchObject({
      name: 'JobAbortedError',
      kind: 'cancel',
      detail: 'requester gave up',
    });
    expect(await finalFor('long-1')).toMatchObject({
      status: 'ERROR',
      messages: ['cancelled: requester gave up'],
      retryable: false,
    });
    await expectQueueEmptyAfterStop();
  });

  it('drains on order (no consumer, heartbeat "draining", jobs wait) and resumes', async () => {
    const w = await startWorker((_job, ctx) => ctx.success({ body: Buffer.from('done') }), {
      heartbeatIntervalMs: 60_000,
    });
    const address = { target: 'instance', workerId: w.instanceId } as const;
    await publish(
      ns(),
      buildControlOrder(ns().names, address, { order: 'drain', reason: 'deploy' }),
    );
    const draining = await workers.first(
      (m) => workerMessage(m).body.status === 'draining',
      15_000,
      'a draining heartbeat',
    );
    expect(workerMessage(draining)).toMatchObject({
      kind: 'heartbeat',
      body: { id: 'taker-1', type: TYPE, status: 'draining' },
    });
    expect(w.stats().status).toBe('draining');
    await publish(ns(), job(ns(), TYPE, 'waiting-1'));
    const queue = await ns().channel.checkQueue(ns().names.workerQueue(TYPE));
    expect(queue).toMatchObject({ consumerCount: 0, messageCount: 1 });
    expect(responses.messages).toHaveLength(0);

    await publish(ns(), buildControlOrder(ns().names, address, { order: 'resume' }));
    expect(await finalFor('waiting-1')).toMatchObject({
      status: 'SUCCESS',
      body: Buffer.from('done'),
    });
    const heartbeats = await workers.waitFor(
      2,
      (m) => workerMessage(m).kind === 'heartbeat',
      15_000,
      'the ready heartbeat',
    );
    expect(heartbeats.map((m) => workerMessage(m).body.status)).toEqual(['draining', 'ready']);
    await expectQueueEmptyAfterStop();
  });

  it('submits a new request to <ns>.requests, confirmed before the handler goes on', async () => {
    const requests = await MessageCollector.start(ns().channel, ns().names.exchanges.requests);
    await startWorker(
      async (j, ctx) => {
        const id = await ctx.submit('order/ship', { sku: 'A1' });
        return ctx.success({ json: { shipment: id } });
      },
      { reportRunning: false },
    );
    await publish(ns(), job(ns(), TYPE, 'chain-1', { tenant: 'acme' }));
    const final = await finalFor('chain-1');
    const { shipment } = JSON.parse(final.body.toString()) as { shipment: string };
    const request = await requests.first(() => true);
    expect(request.fields.routingKey).toBe('order/ship');
    expect(request.properties.headers).toMatchObject({
      [HEADERS.requestId]: shipment,
      [HEADERS.contentType]: 'order/ship',
      [HEADERS.tenant]: 'acme',
    });
    expect(request.properties.correlationId).toBe('chain-1');
    expect(JSON.parse(request.content.toString())).toEqual({ sku: 'A1' });
  });
});
