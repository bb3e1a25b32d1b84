import { type ChannelWrapper } from 'amqp-connection-manager';
import { type OutgoingMessage } from '@org/protocol';

/**
 * Publishes on a confirm channel and resolves when the broker has confirmed. At most `capacity`
 * publishes wait for their confirm at once; further publishers wait for room. amqp-connection-manager
 * keeps unsent messages in memory across reconnects and honours the channel's `drain`, so this
 * bound is what keeps memory flat while the broker is slow or unreachable.
 */
export class Publisher {
  private outstanding = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly channel: ChannelWrapper,
    private readonly capacity: number,
  ) {}

  /** Publishes waiting for a confirm or for room. */
  get pending(): number {
    return this.outstanding + this.waiting.length;
  }

  async publish(message: OutgoingMessage): Promise<void> {
    if (this.outstanding >= this.capacity) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.outstanding += 1;
    try {
      await this.channel.publish(
        message.exchange,
        message.routingKey,
        message.content,
        message.options,
      );
    } finally {
      this.outstanding -= 1;
      this.waiting.shift()?.();
    }
  }
}
