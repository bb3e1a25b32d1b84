import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import {
  assertTopology,
  buildResponse,
  buildResponseBatch,
  isBatch,
  parseJobBatch,
  buildWorkerMessage,
  checkTopology,
  controlTopology,
  parseControlOrder,
  parseJob,
  workerQueueTopology,
  type ControlOrderBody,
  type DeliveredJob,
  type Names,
  type OutgoingMessage,
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
  /**
   * Advertise `batch` in heartbeats (design 5.2) and accept job batches of at most this many
   * items. A batch is answered item by item (in one response batch when `respondInBatches`),
   * and acknowledged once every answer is confirmed; one REJECT or HOLD item rejects or holds
   * the whole batch message. @default undefined (a v1 worker: one job per message)
   */
  readonly batch?: number;
  /** Answer a job batch with one response batch instead of single responses. @default false */
  readonly respondInBatches?: boolean;
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
  /** Items of each job message received, in order (1 for a single job). */
  readonly messageSizes: number[] = [];
  /**
   * Jobs whose final answer was published, confirmed or not. From that moment the manager may
   * read it and refill the slot, so a sampler counting jobs outstanding at this worker counts
   * up to here (counting up to the confirm races the manager's refill).
   */
  answerSent = 0;
  /** Jobs acknowledged or rejected so far: `jobs.length - settled` are unacknowledged here. */
  settled = 0;
  private connection!: ChannelModel;
  private channel!: ConfirmChannel;
  private heartbeat: NodeJS.Timeout | undefined;
  private consumerTag: string | undefined;
  private killed = false;

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
    await this.publishConfirmed(message);
  }

  /**
   * Publishes and waits for this message's own confirm. `waitForConfirms` would wait for every
   * publish outstanding on the channel, so under steady traffic each job's acknowledgement would
   * wait for its neighbours' answers too.
   */
  private publishConfirmed(message: OutgoingMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.channel.publish(
        message.exchange,
        message.routingKey,
        message.content,
        message.options,
        (error: unknown) =>
          error ? reject(error instanceof Error ? error : new Error('publish refused')) : resolve(),
      );
    });
  }

  /**
   * Dies as a killed process would: the TCP connection is destroyed without a close handshake,
   * so the broker requeues every unacknowledged message (held batches included).
   */
  kill(): void {
    this.killed = true;
    clearInterval(this.heartbeat);
    (this.connection.connection as unknown as { stream: { destroy(): void } }).stream.destroy();
  }

  async stop(unregister = true): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.killed) return;
    if (this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => undefined);
    if (unregister) await this.announce('unregister').catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const { names, type } = this.options;
    this.connection = await connect(this.options.amqpUrl);
    // A killed connection reports its end here; nothing is left to do with it.
    this.connection.on('error', () => undefined);
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
      batch: this.options.batch,
      inFlight: 0,
      processed: this.jobs.length,
    });
    await this.publishConfirmed(message);
  }

  private async handleBatch(message: ConsumeMessage): Promise<void> {
    const parsed = parseJobBatch(message);
    if (!parsed.ok || this.options.batch === undefined) {
      this.channel.nack(message, false, false);
      return;
    }
    const jobs = parsed.value.flatMap((item) => (item.parsed.ok ? [item.parsed.value] : []));
    this.messageSizes.push(jobs.length);
    this.jobs.push(...jobs);
    try {
      const actions = await Promise.all(
        jobs.map(async (job) =>
          this.options.handler
            ? this.options.handler(job)
            : { status: 'SUCCESS' as const, body: job.body },
        ),
      );
      if (actions.some((action) => action.status === 'REJECT')) {
        this.channel.nack(message, false, false);
        this.settled += jobs.length;
        return;
      }
      if (actions.some((action) => action.status === 'HOLD')) {
        this.held.push(message);
        return;
      }
      const answers = jobs.map((job, index) => this.answerOf(job, actions[index]!));
      if (this.options.respondInBatches) {
        this.answerSent += answers.length;
        await this.publishConfirmed(buildResponseBatch(this.options.names, answers));
      } else {
        for (const answer of answers) {
          this.answerSent += 1;
          await this.respond(answer);
        }
      }
      this.channel.ack(message);
      this.settled += jobs.length;
    } catch {
      // The connection closed under us (kill or teardown): the broker requeues the batch.
    }
  }

  private answerOf(job: DeliveredJob, action: JobAction): ResponseInput {
    const base = {
      workerType: this.options.type,
      workerId: this.id,
      requestId: job.requestId,
      attempt: job.attempt,
      step: job.step,
      correlationId: job.correlationId,
    };
    switch (action.status) {
      case 'SUCCESS':
        return {
          ...base,
          status: 'SUCCESS',
          body: action.body ?? Buffer.alloc(0),
          contentType: action.contentType,
          meta: action.meta,
        };
      case 'ERROR':
        return { ...base, status: 'ERROR', messages: action.messages, retryable: action.retryable };
      case 'INVALID_CONTENT':
        return { ...base, status: 'INVALID_CONTENT', messages: action.messages };
      default:
        throw new Error(`no answer for ${action.status}`);
    }
  }

  private async handle(message: ConsumeMessage): Promise<void> {
    if (isBatch(message)) return this.handleBatch(message);
    this.messageSizes.push(1);
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
      this.answerSent += 1;
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
