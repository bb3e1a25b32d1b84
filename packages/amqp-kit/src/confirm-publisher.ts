import { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import { type ConfirmChannel, type Options } from 'amqplib';
import { type ConnectionLogger } from './connection-logger';
import { redactSecrets } from './redact';

/** A message ready to publish (`@org/protocol`'s `OutgoingMessage` is one). */
export interface PublishableMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
}

export interface ConfirmPublisherLimits {
  /** Publishes awaiting their confirm at once; beyond that, publishers wait their turn. */
  readonly capacity: number;
  /** Body bytes awaiting their confirm at once (one message larger than this still goes alone). @default no byte bound */
  readonly maxBytes?: number;
}

export interface ConfirmPublisherOptions extends ConfirmPublisherLimits {
  /** Channel name, in logs. */
  readonly name: string;
  /** A publish not confirmed within this many ms rejects (counted from when it is handed to the channel). @default none: wait, across reconnects */
  readonly publishTimeoutMs?: number;
  /** The broker closed the channel (amqp-connection-manager reopens it only with the connection). */
  readonly onChannelError?: (error: Error) => void;
  readonly logger: ConnectionLogger;
}

interface Waiting {
  readonly message: PublishableMessage;
  readonly size: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Publishes on a confirm channel and resolves once the broker confirmed (rejects on a nack or a
 * timeout). At most `capacity` messages (and `maxBytes` of bodies) await their confirm at once;
 * the rest wait in a queue and are handed to the channel strictly in call order, so a job's
 * RUNNING never overtakes its final answer. amqp-connection-manager keeps unsent messages across
 * reconnects and honours the channel's `drain`; this bound is what keeps memory flat while the
 * broker is slow, blocked or away.
 */
export class ConfirmPublisher {
  private outstanding = 0;
  private outstandingBytes = 0;
  private readonly queue: Waiting[] = [];
  private readonly maxBytes: number;

  constructor(
    private readonly channel: Pick<ChannelWrapper, 'publish'> &
      Partial<Pick<ChannelWrapper, 'waitForConnect' | 'close'>>,
    private readonly limits: ConfirmPublisherLimits,
  ) {
    if (!Number.isSafeInteger(limits.capacity) || limits.capacity < 1) {
      throw new RangeError(`publisher capacity must be a positive integer, got ${limits.capacity}`);
    }
    this.maxBytes = limits.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Opens a confirm channel on `manager` and a publisher on it. */
  static open(manager: AmqpConnectionManager, options: ConfirmPublisherOptions): ConfirmPublisher {
    const wrapper = manager.createChannel({
      name: options.name,
      confirm: true,
      publishTimeout: options.publishTimeoutMs,
      setup: (channel: ConfirmChannel) => {
        channel.on('error', (error: Error) => {
          options.logger.warn(`${options.name}: channel error`, {
            error: redactSecrets(error.message),
          });
          options.onChannelError?.(error);
        });
        return Promise.resolve();
      },
    });
    // ChannelWrapper emits 'error' for setup failures; without a listener Node would throw.
    wrapper.on('error', (error: Error) =>
      options.logger.warn(`${options.name}: ${redactSecrets(error.message)}`),
    );
    return new ConfirmPublisher(wrapper, options);
  }

  /** Publishes awaiting a confirm or their turn. */
  get pending(): number {
    return this.outstanding + this.queue.length;
  }

  publish(message: PublishableMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, size: message.content.length, resolve, reject });
      this.pump();
    });
  }

  /** Resolves once the channel is open (the first connection made). */
  async waitForConnect(): Promise<void> {
    await this.channel.waitForConnect?.();
  }

  /** Closes the channel; publishes not yet handed to it are lost (callers wait for theirs first). */
  async close(): Promise<void> {
    await this.channel.close?.();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const full =
        this.outstanding >= this.limits.capacity ||
        this.outstandingBytes + next.size > this.maxBytes;
      if (full && this.outstanding > 0) return;
      this.queue.shift();
      this.send(next);
    }
  }

  private send(entry: Waiting): void {
    this.outstanding += 1;
    this.outstandingBytes += entry.size;
    const release = () => {
      this.outstanding -= 1;
      this.outstandingBytes -= entry.size;
      this.pump();
    };
    let confirmed: Promise<boolean>;
    try {
      const { exchange, routingKey, content, options } = entry.message;
      confirmed = this.channel.publish(exchange, routingKey, content, options);
    } catch (error) {
      confirmed = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    confirmed.then(
      () => {
        release();
        entry.resolve();
      },
      (error: unknown) => {
        release();
        entry.reject(error);
      },
    );
  }
}
