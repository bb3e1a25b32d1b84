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

/** The part of amqp-connection-manager's channel wrapper a {@link ConfirmPublisher} uses. */
export type PublishChannel = Pick<ChannelWrapper, 'publish'> &
  Partial<Pick<ChannelWrapper, 'waitForConnect' | 'close'>>;

/**
 * How a {@link ConfirmPublisher} replaces a channel the broker keeps refusing publishes on.
 *
 * Seen on RabbitMQ 3.10 when a quorum queue's leader node stops: a channel that published to the
 * queue during its election can have every later publish to it nacked ("message nacked") for as
 * long as the channel lives, while the queue has a leader again and a new channel's publishes are
 * confirmed (the broker-cluster test caught it about once in ten runs; the channel's quorum queue
 * client does not register again). A nack is otherwise rare (a queue refusing publishes at its
 * length limit): replacing the channel then costs a channel, nothing else.
 */
export interface ChannelRenewal {
  /** Opens the replacement channel (on the same connection). */
  readonly open: () => PublishChannel;
  /** Renewals are at least this far apart, so a queue that keeps refusing does not churn channels. @default 1000 */
  readonly minIntervalMs?: number;
  /** Told of each renewal, with what the broker said (for the logs). @default none */
  readonly onRenew?: (reason: string) => void;
}

export interface ConfirmPublisherOptions extends ConfirmPublisherLimits {
  /** Channel name, in logs. */
  readonly name: string;
  /** A publish not confirmed within this many ms rejects (counted from when it is handed to the channel). @default none: wait, across reconnects */
  readonly publishTimeoutMs?: number;
  /**
   * Replace the channel when the broker nacks a publish ({@link ChannelRenewal}). Publishes made
   * after the renewal may be confirmed before ones still awaiting their confirm on the old
   * channel, so only a publisher whose messages need no order among themselves should set it.
   * @default false
   */
  readonly renewOnNack?: boolean;
  /** The broker closed the channel (amqp-connection-manager reopens it only with the connection). */
  readonly onChannelError?: (error: Error) => void;
  readonly logger: ConnectionLogger;
}

/** A channel and the publishes still awaiting a confirm on it. */
interface Lane {
  readonly channel: PublishChannel;
  outstanding: number;
}

/** amqplib's error for a negative confirm. */
const NACKED = 'message nacked';

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
 * broker is slow, blocked or away. With a {@link ChannelRenewal}, a nack replaces the channel.
 */
export class ConfirmPublisher {
  private outstanding = 0;
  private outstandingBytes = 0;
  private readonly queue: Waiting[] = [];
  private readonly maxBytes: number;
  private lane: Lane;
  /** Replaced channels still awaiting confirms: each closed after its last one, or with the publisher. */
  private readonly retired = new Set<Lane>();
  private renewedAt = Number.NEGATIVE_INFINITY;
  private renewalCount = 0;
  private closed = false;

  constructor(
    channel: PublishChannel,
    private readonly limits: ConfirmPublisherLimits,
    private readonly renewal?: ChannelRenewal,
  ) {
    if (!Number.isSafeInteger(limits.capacity) || limits.capacity < 1) {
      throw new RangeError(`publisher capacity must be a positive integer, got ${limits.capacity}`);
    }
    this.maxBytes = limits.maxBytes ?? Number.POSITIVE_INFINITY;
    this.lane = { channel, outstanding: 0 };
  }

  /** How many times a nack replaced the channel. */
  get renewals(): number {
    return this.renewalCount;
  }

  /** Opens a confirm channel on `manager` and a publisher on it. */
  static open(manager: AmqpConnectionManager, options: ConfirmPublisherOptions): ConfirmPublisher {
    const open = (): ChannelWrapper => openChannel(manager, options);
    const renewal: ChannelRenewal = {
      open,
      onRenew: (reason) =>
        options.logger.warn(`${options.name}: the broker refused a publish; channel replaced`, {
          error: redactSecrets(reason),
        }),
    };
    return new ConfirmPublisher(open(), options, options.renewOnNack ? renewal : undefined);
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
    await this.lane.channel.waitForConnect?.();
  }

  /** Closes the channel; publishes not yet handed to it are lost (callers wait for theirs first). */
  async close(): Promise<void> {
    this.closed = true;
    const lanes = [...this.retired, this.lane];
    this.retired.clear();
    await Promise.all(
      lanes.map(async (lane) => {
        await lane.channel.close?.();
      }),
    );
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
    const lane = this.lane;
    this.outstanding += 1;
    this.outstandingBytes += entry.size;
    lane.outstanding += 1;
    const release = () => {
      this.outstanding -= 1;
      this.outstandingBytes -= entry.size;
      lane.outstanding -= 1;
      if (lane.outstanding === 0 && this.retired.delete(lane)) {
        void lane.channel.close?.().catch(() => undefined);
      }
      this.pump();
    };
    let confirmed: Promise<boolean>;
    try {
      const { exchange, routingKey, content, options } = entry.message;
      confirmed = lane.channel.publish(exchange, routingKey, content, options);
    } catch (error) {
      confirmed = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    confirmed.then(
      () => {
        release();
        entry.resolve();
      },
      (error: unknown) => {
        if (error instanceof Error && error.message === NACKED) this.renew(lane, error.message);
        release();
        entry.reject(error);
      },
    );
  }

  /** Replaces the channel a nack came on, unless it was already replaced or was just renewed. */
  private renew(lane: Lane, reason: string): void {
    const renewal = this.renewal;
    if (!renewal || this.closed || lane !== this.lane) return;
    const now = Date.now();
    if (now - this.renewedAt < (renewal.minIntervalMs ?? 1000)) return;
    this.renewedAt = now;
    this.retired.add(lane);
    // Publishes still awaiting their confirm on the old channel settle there; it closes after.
    this.lane = { channel: renewal.open(), outstanding: 0 };
    this.renewalCount += 1;
    renewal.onRenew?.(reason);
  }
}

/** A confirm channel on `manager` that logs (and reports) the broker closing it. */
function openChannel(
  manager: AmqpConnectionManager,
  options: ConfirmPublisherOptions,
): ChannelWrapper {
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
  return wrapper;
}
