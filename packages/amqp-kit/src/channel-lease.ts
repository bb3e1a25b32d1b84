import { type Channel, type Message } from 'amqplib';

/** What to do with a delivery: acknowledge it, give it back to the queue, or dead-letter it. */
export type Settlement = 'ack' | 'requeue' | 'reject';

/** `settled`: sent on the channel; `dropped`: the channel is gone (the broker redelivers); `failed`: the channel refused. */
export type SettleOutcome = 'settled' | 'dropped' | 'failed';

/**
 * One incarnation of a consumer channel. A delivery tag means something only on the channel that
 * delivered it: once that channel has closed (or been replaced after a reconnect), the broker has
 * already requeued its unacknowledged messages, and the same tag on the new channel names
 * another message or none ("unknown delivery tag", which closes the channel). Every delivery
 * keeps the lease it came on and is settled through it, so a late ack is dropped, never misplaced.
 */
export class ChannelLease {
  private closed = false;

  constructor(
    readonly channel: Channel,
    /** 1 for the first channel, then one more per reconnect. */
    readonly generation: number,
  ) {
    channel.once('close', () => {
      this.closed = true;
    });
  }

  /** False once the channel closed or a newer lease replaced it. */
  get open(): boolean {
    return !this.closed;
  }

  /** Marks the lease dead: its channel is being replaced. */
  retire(): void {
    this.closed = true;
  }

  /** Acks, requeues or rejects `message` on this lease's channel, unless the channel is gone. */
  settle(message: Message, how: Settlement): SettleOutcome {
    if (this.closed) return 'dropped';
    try {
      if (how === 'ack') this.channel.ack(message);
      else this.channel.nack(message, false, how === 'requeue');
      return 'settled';
    } catch {
      // amqplib throws when the channel is closing: the broker requeues the message itself.
      return 'failed';
    }
  }
}

/** The leases of one consumer: each (re)opened channel gets the next one and retires the last. */
export class ChannelLeases {
  private latest: ChannelLease | undefined;
  private count = 0;

  /** A lease for a freshly set up channel. */
  lease(channel: Channel): ChannelLease {
    this.latest?.retire();
    this.count += 1;
    this.latest = new ChannelLease(channel, this.count);
    return this.latest;
  }

  /** The newest lease, open or not. */
  get current(): ChannelLease | undefined {
    return this.latest;
  }

  /** Channels set up so far. */
  get generations(): number {
    return this.count;
  }
}
