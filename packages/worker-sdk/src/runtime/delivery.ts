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
  /** Made on first use of the job's signal (see {@link signalOf}): most handlers never read it. */
  controller?: AbortController;
  /** Why the job was aborted (cancel order, shutdown), whether or not its signal exists yet. */
  abortReason?: Error;
  requestId?: string;
  settled: boolean;
}

/** The job's AbortSignal, created on first use and already aborted if the job was. */
export function signalOf(delivery: Delivery): AbortSignal {
  if (!delivery.controller) {
    delivery.controller = new AbortController();
    if (delivery.abortReason) delivery.controller.abort(delivery.abortReason);
  }
  return delivery.controller.signal;
}

/** Aborts the job's signal (now, or when it is first read); false if it was aborted already. */
export function abortDelivery(delivery: Delivery, reason: Error): boolean {
  if (delivery.abortReason) return false;
  delivery.abortReason = reason;
  delivery.controller?.abort(reason);
  return true;
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
