import { ChannelLeases, type ChannelLease } from '@org/amqp-kit';
import {
  assertTopology,
  checkTopology,
  controlTopology,
  workerTopology,
  type Names,
} from '@org/protocol';
import { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import { type Channel, type ConsumeMessage } from 'amqplib';
import { type Logger } from '../logger';
import { type DeclareQueueMode } from '../worker-options';
import { type Reconnector } from './reconnector';
import { type RuntimeDiagnostics } from './runtime-diagnostics';

export interface ConsumerChannelOptions {
  readonly names: Names;
  readonly type: string;
  readonly instanceId: string;
  readonly declareQueue: DeclareQueueMode;
  /** Unacknowledged messages the broker hands over (per consumer: quorum queues have no global QoS). */
  readonly prefetch: number;
  readonly logger: Logger;
  readonly diagnostics: RuntimeDiagnostics;
  readonly reconnector: Reconnector;
  /** Whether jobs may be consumed now (not draining, not stopping). */
  readonly shouldConsume: () => boolean;
  readonly onJob: (lease: ChannelLease, message: ConsumeMessage) => void;
  readonly onControl: (message: ConsumeMessage) => void;
  /** The broker refused the setup (it answered with a reply code): fail the start, or retry later. */
  readonly onRefused: (cause: unknown) => void;
  /** The channel of `lease` closed: its unacknowledged messages went back to the queue. */
  readonly onLeaseClosed: (lease: ChannelLease) => void;
  /** Each time the channel is fully set up: topology declared, control and job consumers on. */
  readonly onReady: (lease: ChannelLease) => void;
}

/**
 * The consumer channel, set up again on every (re)connect: the topology (declared or checked),
 * this instance's control queue and consumer, the prefetch, and the job consumer unless draining.
 * Every delivery carries the lease of the channel it came on, so it is never settled on another.
 */
export class ConsumerChannel {
  private readonly leases = new ChannelLeases();
  private consumer: { readonly lease: ChannelLease; readonly tag: string } | undefined;

  constructor(private readonly options: ConsumerChannelOptions) {}

  open(manager: AmqpConnectionManager): ChannelWrapper {
    const wrapper = manager.createChannel({
      name: 'consume',
      confirm: false,
      setup: (channel: Channel) => this.setup(channel),
    });
    // ChannelWrapper emits 'error' for setup failures; without a listener Node would throw.
    wrapper.on('error', (error: Error) => {
      if (this.options.shouldConsume()) this.options.logger.warn(`consume: ${error.message}`);
    });
    return wrapper;
  }

  /** Starts the job consumer on the current channel (after a resume). */
  async consume(): Promise<void> {
    const lease = this.leases.current;
    if (!lease || !lease.open || this.consumer?.lease === lease) return;
    const { consumerTag } = await lease.channel.consume(
      this.options.names.workerQueue(this.options.type),
      (message) => this.onDelivery(lease, message),
      { noAck: false },
    );
    this.consumer = { lease, tag: consumerTag };
    // A drain or stop that arrived while the consumer was being registered found no tag to cancel.
    if (!this.options.shouldConsume()) await this.pause();
  }

  /** Cancels the job consumer: no new jobs; the ones held go on. */
  async pause(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer || !consumer.lease.open) return;
    await consumer.lease.channel.cancel(consumer.tag).catch((cause: unknown) => {
      this.options.logger.warn('could not cancel the job consumer', { error: cause });
    });
  }

  private async setup(channel: Channel): Promise<void> {
    const { names, type, instanceId, declareQueue, prefetch, logger, reconnector } = this.options;
    const previous = this.leases.current;
    const lease = this.leases.lease(channel);
    this.consumer = undefined;
    // A replaced channel may not have reported its close yet; either way its deliveries are gone.
    if (previous) this.options.onLeaseClosed(previous);
    channel.once('close', () => this.options.onLeaseClosed(lease));
    channel.on('error', (error: Error) => reconnector.channelError('consume', error));
    try {
      const topology = workerTopology(names, type);
      if (declareQueue === 'assert') await assertTopology(channel, topology);
      else await checkTopology(channel, topology);
      // The control queue is exclusive to this connection, so it is declared again after every reconnect.
      await assertTopology(channel, controlTopology(names, type, instanceId));
      await channel.consume(
        names.controlQueue(instanceId),
        (message) => {
          if (message === null) reconnector.schedule();
          else this.options.onControl(message);
        },
        { noAck: true },
      );
      await channel.prefetch(prefetch, false);
      if (this.options.shouldConsume()) await this.consume();
    } catch (cause) {
      // A reply code means the broker refused (missing queue, other arguments, no permission);
      // anything else is the connection going away mid-setup, which the next connect repeats.
      if (typeof (cause as { code?: unknown }).code === 'number') this.options.onRefused(cause);
      throw cause;
    }
    this.options.diagnostics.noteSetup();
    if (lease.generation > 1) {
      logger.info('reconnected: topology declared, consuming again', {
        generation: lease.generation,
      });
    }
    this.options.onReady(lease);
  }

  private onDelivery(lease: ChannelLease, message: ConsumeMessage | null): void {
    if (message !== null) {
      this.options.onJob(lease, message);
      return;
    }
    // The broker cancelled the consumer: the queue was deleted. Reconnecting declares it again.
    if (this.consumer?.lease === lease) this.consumer = undefined;
    this.options.logger.warn(
      'the broker cancelled the job consumer (queue deleted?); reconnecting',
    );
    this.options.reconnector.schedule();
  }
}
