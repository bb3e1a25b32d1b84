import { Logger } from '@nestjs/common';
import { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import { type Channel, type ConsumeMessage } from 'amqplib';
import { isTransientError } from '../database/database.service';

/** Settings of one {@link BatchConsumer}. */
export interface BatchConsumerOptions {
  /** Queue to consume (declared beforehand by the topology). */
  readonly queue: string;
  /** Unacknowledged messages the broker may hand over at once. @default 500 */
  readonly prefetch: number;
  /** Flush when this many messages are waiting. @default 200 */
  readonly batchSize: number;
  /**
   * While a batch is in flight, flush at the latest this long after the first waiting message
   * arrived; an idle consumer flushes at once (after the current socket read). @default 5
   */
  readonly windowMs: number;
  /**
   * Batches processed at once. 1 keeps the queue's order (a worker's RUNNING is applied before
   * its SUCCESS); more overlaps database round trips. @default 1
   */
  readonly maxInFlight?: number;
  /**
   * Makes the batch's effects durable. Resolving means every message may be acknowledged;
   * rejecting with a transient error retries the batch, with any other error splits it to find
   * the message at fault, which is then rejected (dead-lettered by the queue).
   */
  readonly handle: (messages: ConsumeMessage[]) => Promise<void>;
}

interface Delivery {
  readonly channel: Channel;
  readonly message: ConsumeMessage;
}

/**
 * Consumes a queue in batches: one handler call (one transaction) per batch, messages
 * acknowledged only after it resolved. Deliveries remember their channel, so a batch that
 * finishes after a reconnect is not acknowledged on a channel that never delivered it (those
 * messages are redelivered instead, and the handlers absorb redeliveries).
 */
export class BatchConsumer {
  private readonly logger: Logger;
  private wrapper: ChannelWrapper | undefined;
  private pending: Delivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly openChannels = new WeakSet<Channel>();
  private stopping = false;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly options: BatchConsumerOptions,
  ) {
    this.logger = new Logger(`Consumer ${options.queue}`);
  }

  async start(): Promise<void> {
    this.wrapper = this.connection.createChannel({
      name: `consumer:${this.options.queue}`,
      setup: async (channel: Channel) => {
        this.openChannels.add(channel);
        channel.on('close', () => this.openChannels.delete(channel));
        channel.on('error', (error: Error) => this.logger.warn(`channel error: ${error.message}`));
        await channel.prefetch(this.options.prefetch);
        await channel.consume(this.options.queue, (message) => {
          if (message) this.receive({ channel, message });
        });
      },
    });
    this.wrapper.on('error', (error: Error) => this.logger.warn(error.message));
    await this.wrapper.waitForConnect();
  }

  /** Stops taking messages, finishes the batches in flight, then closes the channel. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.pending = []; // never acknowledged: redelivered to another replica
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.wrapper?.close().catch(() => undefined);
  }

  private receive(delivery: Delivery): void {
    if (this.stopping) return; // left unacknowledged: the broker gives it to another replica
    this.pending.push(delivery);
    if (this.pending.length >= this.options.batchSize) this.flush();
    else if (this.inFlight.size === 0) {
      // Idle: waiting for the window would only add latency, as nothing runs that more messages
      // could gather behind. What arrived in the same socket read still goes as one batch.
      this.immediate ??= setImmediate(() => this.flush());
    } else if (this.timer === undefined)
      this.timer = setTimeout(() => this.flush(), this.options.windowMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    clearImmediate(this.immediate);
    this.immediate = undefined;
    // At capacity, messages keep gathering; the batch in flight flushes them when it ends.
    while (this.pending.length > 0 && this.inFlight.size < (this.options.maxInFlight ?? 1)) {
      const batch = this.pending.slice(0, this.options.batchSize);
      this.pending = this.pending.slice(batch.length);
      const run: Promise<void> = this.process(batch).finally(() => {
        this.inFlight.delete(run);
        this.flush();
      });
      this.inFlight.add(run);
    }
  }

  private async process(batch: Delivery[]): Promise<void> {
    const outcome = await this.attempt(batch);
    if (outcome === 'done') return this.settle(batch, 'ack');
    if (outcome === 'abandoned') return; // redelivered later
    if (batch.length === 1) {
      this.logger.error(`rejecting a message the manager cannot process: ${outcome.message}`);
      return this.settle(batch, 'reject');
    }
    for (const delivery of batch) await this.process([delivery]);
  }

  /** Runs the handler, retrying transient failures until it works or the consumer stops. */
  private async attempt(batch: Delivery[]): Promise<'done' | 'abandoned' | Error> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handle(batch.map((delivery) => delivery.message));
        return 'done';
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (!isTransientError(error)) {
          if (attempt >= 3) return failure;
        } else if (
          this.stopping ||
          !batch.every((delivery) => this.openChannels.has(delivery.channel))
        ) {
          return 'abandoned';
        }
        this.logger.warn(
          `batch of ${batch.length} failed (attempt ${attempt}), retrying: ${failure.message}`,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }

  private settle(batch: Delivery[], how: 'ack' | 'reject'): void {
    for (const { channel, message } of batch) {
      if (!this.openChannels.has(channel)) continue;
      try {
        if (how === 'ack') channel.ack(message);
        else channel.nack(message, false, false);
      } catch (error) {
        this.logger.warn(`cannot ${how} a message: ${(error as Error).message}`);
      }
    }
  }
}
