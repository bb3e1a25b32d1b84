import { Logger } from '@nestjs/common';
import { ChannelLeases, ChannelRecovery, type ChannelLease } from '@org/amqp-kit';
import { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import { type Channel, type ConsumeMessage } from 'amqplib';
import { isTransientError } from '../database/database.service';

/** Settings of one {@link BatchConsumer}. */
export interface BatchConsumerOptions {
  /** Queue to consume (declared beforehand by the topology). */
  readonly queue: string;
  /** Unacknowledged messages the broker may hand over at once, at most. @default 500 */
  readonly prefetch: number;
  /**
   * Payload bytes this consumer may hold unacknowledged (its share of `WM_MAX_INFLIGHT_BYTES`).
   * The prefetch follows the messages' mean size so that prefetch × size stays within it: large
   * payloads get a small prefetch, small ones the full one. @default unbounded (count only)
   */
  readonly maxBufferedBytes?: number;
  /** The largest message expected (`WM_MAX_PAYLOAD_BYTES`): the first prefetch assumes it. @default 1 MiB */
  readonly maxMessageBytes?: number;
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
  /** The channel incarnation it came on: it is settled there or not at all. */
  readonly lease: ChannelLease;
  readonly message: ConsumeMessage;
}

/**
 * Weight of a new message in the mean size: the plain mean of the first messages, then an
 * exponential moving average over about the last 20.
 */
const SIZE_WEIGHT = 0.05;

/**
 * Pause before reconnecting for a channel the broker closed: the queue's topology (declared by
 * another channel's setup) or a quorum queue's new leader may need a moment, and an immediate
 * retry would spin through connections meanwhile.
 */
const RECOVERY_DELAY_MS = 250;

/**
 * Consumes a queue in batches: one handler call (one transaction) per batch, messages
 * acknowledged only after it resolved. Deliveries keep the lease of their channel
 * (`@org/amqp-kit`), so a batch that finishes after a reconnect is not acknowledged on a channel
 * that never delivered it (those messages are redelivered instead, and the handlers absorb
 * redeliveries).
 */
export class BatchConsumer {
  private readonly logger: Logger;
  private wrapper: ChannelWrapper | undefined;
  private pending: Delivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly leases = new ChannelLeases();
  private stopping = false;
  private channel: Channel | undefined;
  private lease: ChannelLease | undefined;
  private consumerTag: string | undefined;
  private prefetch: number;
  private meanSize: number;
  private sized = 0;
  private resizing = false;
  private readonly recovery: ChannelRecovery;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly options: BatchConsumerOptions,
  ) {
    this.logger = new Logger(`Consumer ${options.queue}`);
    this.meanSize = options.maxMessageBytes ?? 1024 * 1024;
    this.prefetch = this.desiredPrefetch();
    this.recovery = new ChannelRecovery(connection, {
      delayMs: RECOVERY_DELAY_MS,
      active: () => !this.stopping,
    });
  }

  async start(): Promise<void> {
    this.wrapper = this.connection.createChannel({
      name: `consumer:${this.options.queue}`,
      setup: async (channel: Channel) => {
        const lease = this.leases.lease(channel);
        // The broker closed this channel but not the connection (a consume refused while a
        // quorum queue elects its leader after a node loss, say): amqp-connection-manager
        // reopens channels only when the connection comes back, so this consumer would stay
        // silent for good. Reconnect instead, as the SDK's workers do.
        channel.on('error', (error: Error) => this.recover(`channel error: ${error.message}`));
        this.channel = channel;
        this.lease = lease;
        await this.subscribe(channel, lease);
      },
    });
    this.wrapper.on('error', (error: Error) => this.logger.warn(error.message));
    await this.wrapper.waitForConnect();
  }

  /** Stops taking messages, finishes the batches in flight, then closes the channel. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.recovery.cancel();
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.pending = []; // never acknowledged: redelivered to another replica
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.wrapper?.close().catch(() => undefined);
  }

  /** The prefetch in use now (tests, diagnostics). */
  currentPrefetch(): number {
    return this.prefetch;
  }

  private async subscribe(channel: Channel, lease: ChannelLease): Promise<void> {
    // Per consumer (quorum queues have no global prefetch): it applies to the next consume.
    await channel.prefetch(this.prefetch);
    const { consumerTag } = await channel.consume(this.options.queue, (message) => {
      if (message) this.receive({ lease, message });
      // The broker cancelled the consumer (its queue was deleted): set up again on a new
      // connection, which declares the topology first.
      else this.recover('the broker cancelled the consumer (queue deleted?)');
    });
    this.consumerTag = consumerTag;
  }

  /** Reconnects (once per burst, after {@link RECOVERY_DELAY_MS}) unless stopping. */
  private recover(reason: string): void {
    if (this.recovery.schedule()) this.logger.warn(`${reason}; reconnecting`);
  }

  private desiredPrefetch(): number {
    const budget = this.options.maxBufferedBytes;
    if (budget === undefined) return this.options.prefetch;
    return Math.max(
      1,
      Math.min(this.options.prefetch, Math.floor(budget / Math.max(this.meanSize, 512))),
    );
  }

  /**
   * Follows the messages' mean size: when the prefetch it implies is less than half or more than
   * twice the one in use, the consumer re-subscribes with it (deliveries already here stay
   * acknowledgeable on the channel).
   */
  private adapt(size: number): void {
    if (this.options.maxBufferedBytes === undefined) return;
    this.sized += 1;
    this.meanSize += (size - this.meanSize) * Math.max(SIZE_WEIGHT, 1 / this.sized);
    const desired = this.desiredPrefetch();
    if (this.resizing || (desired * 2 > this.prefetch && desired < this.prefetch * 2)) return;
    const channel = this.channel;
    const lease = this.lease;
    const tag = this.consumerTag;
    if (!channel || !lease || tag === undefined || this.stopping) return;
    this.resizing = true;
    this.prefetch = desired;
    void (async () => {
      try {
        await channel.cancel(tag);
        if (!this.stopping && this.channel === channel) await this.subscribe(channel, lease);
      } catch (error) {
        this.logger.warn(`prefetch change to ${desired} failed: ${(error as Error).message}`);
      } finally {
        this.resizing = false;
      }
    })();
  }

  private receive(delivery: Delivery): void {
    if (this.stopping) return; // left unacknowledged: the broker gives it to another replica
    this.adapt(delivery.message.content.length);
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
        } else if (this.stopping || !batch.every((delivery) => delivery.lease.open)) {
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
    let failed = 0;
    // A delivery whose channel has closed is dropped: the broker has already requeued it.
    for (const { lease, message } of batch)
      if (lease.settle(message, how) === 'failed') failed += 1;
    if (failed > 0)
      this.logger.warn(`cannot ${how} ${failed} message(s): their channel is closing`);
  }
}
