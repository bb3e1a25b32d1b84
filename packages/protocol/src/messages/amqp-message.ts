/**
 * The shape of a delivered AMQP message this package reads. amqplib's `ConsumeMessage` and
 * `GetMessage` satisfy it; property values are `unknown` because the sender is not trusted.
 */
export interface IncomingMessage {
  readonly content: Buffer;
  readonly fields: {
    readonly routingKey: string;
    readonly exchange: string;
    readonly redelivered: boolean;
  };
  readonly properties: {
    readonly headers?: Readonly<Record<string, unknown>> | undefined;
    readonly messageId?: unknown;
    readonly correlationId?: unknown;
    readonly contentType?: unknown;
    readonly replyTo?: unknown;
    readonly timestamp?: unknown;
    readonly priority?: unknown;
  };
}

/** Publish options every message of the contract is sent with. */
export interface PublishOptions {
  /**
   * True for every message that must survive a broker restart; false for heartbeats and, in v2,
   * informational events (design 5.3), which are only meaningful live.
   */
  readonly persistent: boolean;
  readonly messageId: string;
  readonly correlationId?: string;
  /** MIME type of the body. */
  readonly contentType?: string;
  readonly replyTo?: string;
  /** Seconds since the epoch, as AMQP wants it. */
  readonly timestamp: number;
  readonly headers: Record<string, unknown>;
}

/** A message ready to publish: pass its fields to `channel.publish(exchange, routingKey, content, options)`. */
export interface OutgoingMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: PublishOptions;
}

export const EMPTY_BODY: Buffer = Buffer.alloc(0);

/** AMQP timestamps are seconds. */
export function amqpTimestamp(date: Date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
