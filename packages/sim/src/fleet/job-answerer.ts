import { type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { buildResponse, parseJob, type DeliveredJob, type Names } from '@org/protocol';

/** Settings of a {@link JobAnswerer}. */
export interface JobAnswererOptions {
  readonly names: Names;
  readonly type: string;
  /** Ids of the simulated instances answering (round robin): the manager checks none of them. */
  readonly instanceIds: readonly string[];
  /** Time a job "runs" before its SUCCESS. @default 50 */
  readonly delayMs?: number;
  /** Jobs held at once (the type's simulated capacity). @default 64 */
  readonly prefetch?: number;
  /** Told of every job as it arrives (epoch ms), before its delay: dispatch measurements. @default none */
  readonly onJob?: (job: DeliveredJob, receivedAt: number) => void;
}

/**
 * The job side of a simulated worker type: consumes `<ns>.worker.<type>`, answers each job
 * SUCCESS (echoing its body) after a configurable delay as one of the type's simulated
 * instances, and acks it once the answer is confirmed, as the SDK does.
 */
export class JobAnswerer {
  answered = 0;
  private next = 0;
  private consumerTag: string | undefined;

  private constructor(
    private readonly channel: ConfirmChannel,
    private readonly options: JobAnswererOptions,
  ) {}

  static async start(channel: ConfirmChannel, options: JobAnswererOptions): Promise<JobAnswerer> {
    const answerer = new JobAnswerer(channel, options);
    await channel.prefetch(options.prefetch ?? 64);
    const { consumerTag } = await channel.consume(
      options.names.workerQueue(options.type),
      (message) => {
        if (message) void answerer.answer(message);
      },
    );
    answerer.consumerTag = consumerTag;
    return answerer;
  }

  async stop(): Promise<void> {
    if (this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => undefined);
  }

  private async answer(message: ConsumeMessage): Promise<void> {
    const receivedAt = Date.now();
    const job = parseJob(message);
    if (!job.ok) {
      this.channel.nack(message, false, false);
      return;
    }
    this.options.onJob?.(job.value, receivedAt);
    await new Promise((resolve) => setTimeout(resolve, this.options.delayMs ?? 50));
    const ids = this.options.instanceIds;
    const workerId = ids[this.next++ % ids.length] ?? 'sim-answerer';
    const response = buildResponse(this.options.names, {
      requestId: job.value.requestId,
      attempt: job.value.attempt,
      step: job.value.step,
      correlationId: job.value.correlationId,
      status: 'SUCCESS',
      workerType: this.options.type,
      workerId,
      body: job.value.body,
    });
    try {
      // This answer's own confirm: `waitForConfirms()` would wait for (and wrap the callback of)
      // every answer the channel has outstanding, quadratic with thousands of jobs in flight.
      await new Promise<void>((resolve, reject) =>
        this.channel.publish(
          response.exchange,
          response.routingKey,
          response.content,
          response.options,
          (error) => (error ? reject(error as Error) : resolve()),
        ),
      );
      this.channel.ack(message);
      this.answered += 1;
    } catch {
      // The channel closed (the run is ending): the broker requeues the job.
    }
  }
}
