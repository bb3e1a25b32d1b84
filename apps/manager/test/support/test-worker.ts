import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import {
  assertTopology,
  buildResponse,
  buildWorkerMessage,
  checkTopology,
  controlTopology,
  parseControlOrder,
  parseJob,
  workerQueueTopology,
  type ControlOrderBody,
  type DeliveredJob,
  type Names,
  type ResponseInput,
} from '@org/protocol';

/** What the test worker does with a job. */
export type JobAction =
  | {
      readonly status: 'SUCCESS';
      readonly body?: Buffer;
      readonly contentType?: string;
      readonly meta?: Record<string, string>;
    }
  | { readonly status: 'ERROR'; readonly messages?: string[]; readonly retryable?: boolean }
  | { readonly status: 'INVALID_CONTENT'; readonly messages?: string[] }
  /** Reject the job without requeue: the worker queue dead-letters it. */
  | { readonly status: 'REJECT' }
  /** Never answer and never ack (a hung worker). */
  | { readonly status: 'HOLD' };

export interface TestWorkerOptions {
  readonly names: Names;
  readonly amqpUrl: string;
  readonly type: string;
  readonly handler?: (job: DeliveredJob) => JobAction | Promise<JobAction>;
  /** Jobs in flight. */
  readonly concurrency?: number;
  readonly heartbeatIntervalMs?: number;
  /** Send RUNNING before the final answer. */
  readonly sendRunning?: boolean;
  /** Send PROGRESS with this percentage before the final answer. */
  readonly sendProgress?: number;
}

/**
 * A worker written with plain amqplib and the protocol's builders and parsers only (no SDK): what
 * a worker author in another language would write from the contract. It checks its queue
 * passively (the manager declared it), registers, heartbeats, answers, and acks each job only
 * after its response is confirmed.
 */
export class TestWorker {
  readonly id = `tw-${randomBytes(4).toString('hex')}`;
  readonly jobs: DeliveredJob[] = [];
  readonly orders: ControlOrderBody[] = [];
  readonly held: ConsumeMessage[] = [];
  /** Jobs acknowledged or rejected so far: `jobs.length - settled` are unacknowledged here. */
  settled = 0;
  private connection!: ChannelModel;
  private channel!: ConfirmChannel;
  private heartbeat: NodeJS.Timeout | undefined;
  private consumerTag: string | undefined;

  private constructor(private readonly options: TestWorkerOptions) {}

  static async start(options: TestWorkerOptions): Promise<TestWorker> {
    const worker = new TestWorker(options);
    await worker.open();
    return worker;
  }

  /** Jobs received for one request. */
  jobsFor(requestId: string): DeliveredJob[] {
    return this.jobs.filter((job) => job.requestId === requestId);
  }

  /** Publishes a response as this worker (for forged and stale response tests). */
  async respond(
    input: Omit<ResponseInput, 'workerType' | 'workerId'> & { workerType?: string },
  ): Promise<void> {
    const message = buildResponse(this.options.names, {
      workerType: this.options.type,
      workerId: this.id,
      ...input,
    });
    this.channel.publish(message.exchange, message.routingKey, message.content, message.options);
    await this.channel.waitForConfirms();
  }

  async stop(unregister = true): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => undefined);
    if (unregister) await this.announce('unregister').catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const { names, type } = this.options;
    this.connection = await connect(this.options.amqpUrl);
    this.channel = await this.connection.createConfirmChannel();
    this.channel.on('error', () => undefined);
    await checkTopology(this.channel, workerQueueTopology(names, type));
    await assertTopology(this.channel, controlTopology(names, type, this.id));
    await this.channel.consume(
      names.controlQueue(this.id),
      (message) => {
        if (!message) return;
        const order = parseControlOrder(message);
        if (order.ok) this.orders.push(order.value);
      },
      { noAck: true },
    );
    await this.channel.prefetch(this.options.concurrency ?? 10);
    const { consumerTag } = await this.channel.consume(names.workerQueue(type), (message) => {
      if (message) void this.handle(message);
    });
    this.consumerTag = consumerTag;
    await this.announce('register');
    this.heartbeat = setInterval(
      () => void this.announce('heartbeat').catch(() => undefined),
      this.options.heartbeatIntervalMs ?? 200,
    );
  }

  private async announce(kind: 'register' | 'heartbeat' | 'unregister'): Promise<void> {
    const message = buildWorkerMessage(this.options.names, kind, {
      id: this.id,
      type: this.options.type,
      status: 'ready',
      concurrency: this.options.concurrency ?? 10,
      inFlight: 0,
      processed: this.jobs.length,
    });
    this.channel.publish(message.exchange, message.routingKey, message.content, message.options);
    await this.channel.waitForConfirms();
  }

  private async handle(message: ConsumeMessage): Promise<void> {
    const parsed = parseJob(message);
    if (!parsed.ok) {
      this.channel.nack(message, false, false);
      return;
    }
    const job = parsed.value;
    this.jobs.push(job);
    const base = {
      requestId: job.requestId,
      attempt: job.attempt,
      step: job.step,
      correlationId: job.correlationId,
    };
    try {
      if (this.options.sendRunning) await this.respond({ ...base, status: 'RUNNING' });
      if (this.options.sendProgress !== undefined)
        await this.respond({ ...base, status: 'PROGRESS', progress: this.options.sendProgress });
      const action = this.options.handler
        ? await this.options.handler(job)
        : { status: 'SUCCESS' as const, body: job.body };
      if (action.status === 'HOLD') {
        this.held.push(message);
        return;
      }
      if (action.status === 'REJECT') {
        this.channel.nack(message, false, false);
        this.settled += 1;
        return;
      }
      if (action.status === 'SUCCESS') {
        await this.respond({
          ...base,
          status: 'SUCCESS',
          body: action.body ?? Buffer.alloc(0),
          contentType: action.contentType,
          meta: action.meta,
        });
      } else if (action.status === 'ERROR') {
        await this.respond({
          ...base,
          status: 'ERROR',
          messages: action.messages,
          retryable: action.retryable,
        });
      } else {
        await this.respond({ ...base, status: 'INVALID_CONTENT', messages: action.messages });
      }
      this.channel.ack(message);
      this.settled += 1;
    } catch {
      // The connection closed under us (test teardown): the broker requeues the job.
    }
  }
}
