import { type Channel, type ConsumeMessage } from 'amqplib';

/**
 * One incarnation of the consumer channel. Every delivery remembers the lease it came on: a
 * delivery tag means something only on its own channel, so once that channel has closed the
 * settlement is dropped (the broker has already requeued the message) instead of being sent on
 * the new channel, where the same tag names another message or none ("unknown delivery tag").
 */
export interface ChannelLease {
  readonly generation: number;
  readonly channel: Channel;
  open: boolean;
  jobConsumerTag?: string;
}

export interface Delivery {
  readonly lease: ChannelLease;
  readonly message: ConsumeMessage;
  readonly controller: AbortController;
  requestId?: string;
  settled: boolean;
}

export type Settlement = 'ack' | 'requeue' | 'reject';

/** The socket under an amqplib connection (amqplib does not type it). */
export function socketOf(
  model: { readonly connection: unknown } | undefined,
): { destroy(error?: Error): void } | undefined {
  const connection = model?.connection;
  if (typeof connection !== 'object' || connection === null || !('stream' in connection))
    return undefined;
  const stream = connection.stream;
  if (typeof stream !== 'object' || stream === null || !('destroy' in stream)) return undefined;
  return stream as { destroy(error?: Error): void };
}
