import {
  connect,
  type ChannelModel,
  type ConfirmChannel,
  type Channel,
  type ConsumeMessage,
  type Options,
} from 'amqplib';
import { nowMs } from './clock';

/** Publishes with at most this many messages awaiting their confirm: enough to keep the broker busy. */
const CONFIRM_WINDOW = 500;

/** What a requester publishes: a protocol `OutgoingMessage`, or a plain message for the raw baseline. */
export interface Publishable {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
}

export interface Completion {
  readonly id: string;
  readonly at: number;
  readonly message: ConsumeMessage;
}

export interface RequesterOptions {
  readonly amqpUrl: string;
  /** The (already declared) queue on which completions arrive. */
  readonly completionQueue: string;
  /**
   * Which ids a completion message answers: one (`undefined` ignores the message), or several
   * for a batch message.
   */
  readonly completionId: (message: ConsumeMessage) => string | readonly string[] | undefined;
}

/**
 * The requester side of every AMQP scenario: publishes persistent messages on a confirm channel
 * (the way the design asks requesters to), records when each id was submitted, and counts the
 * completions that come back on one queue.
 */
export class Requester {
  readonly submittedAt = new Map<string, number>();
  readonly completions: Completion[] = [];
  private unconfirmed = 0;
  private windowWaiters: Array<() => void> = [];
  private countWaiters: Array<{ count: number; resolve: () => void }> = [];
  private failure: Error | undefined;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly publisher: ConfirmChannel,
    private readonly consumer: Channel,
  ) {}

  static async open(options: RequesterOptions): Promise<Requester> {
    const connection = await connect(options.amqpUrl);
    const publisher = await connection.createConfirmChannel();
    // A second channel keeps deliveries off the publisher's socket writes' back-pressure path.
    const consumer = await connection.createChannel();
    const requester = new Requester(connection, publisher, consumer);
    const fail = (error: Error) => requester.fail(error);
    publisher.on('error', fail);
    consumer.on('error', fail);
    await consumer.prefetch(2000);
    await consumer.consume(options.completionQueue, (message) => {
      if (!message) return;
      consumer.ack(message);
      const ids = options.completionId(message);
      const at = nowMs();
      if (typeof ids === 'string') requester.complete({ id: ids, at, message });
      else for (const id of ids ?? []) requester.complete({ id, at, message });
    });
    return requester;
  }

  get channel(): Channel {
    return this.consumer;
  }

  /**
   * Publishes one message carrying `id` (or, for a batch message, several ids); resolves once it
   * is handed to the socket and the confirm window has room.
   */
  async publish(id: string | readonly string[], message: Publishable): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.unconfirmed >= CONFIRM_WINDOW)
      await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
    this.unconfirmed++;
    const at = nowMs();
    if (typeof id === 'string') this.submittedAt.set(id, at);
    else for (const each of id) this.submittedAt.set(each, at);
    const written = this.publisher.publish(
      message.exchange,
      message.routingKey,
      message.content,
      message.options,
      (error) => {
        this.unconfirmed--;
        if (error) this.fail(new Error(`broker refused message ${String(id)}: ${String(error)}`));
        this.windowWaiters.shift()?.();
      },
    );
    if (!written)
      await new Promise<void>((resolve) => this.publisher.once('drain', () => resolve()));
  }

  /** Resolves once `count` completions arrived; rejects after `timeoutMs` saying how many did. */
  async waitForCompletions(count: number, timeoutMs: number, what: string): Promise<void> {
    if (this.completions.length >= count) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => this.countWaiters.push({ count, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `${what}: ${this.completions.length} of ${count} completions after ${timeoutMs} ms`,
                ),
              ),
            timeoutMs,
          );
        }),
        new Promise<never>((_, reject) => {
          const check = setInterval(() => {
            if (this.failure) {
              clearInterval(check);
              reject(this.failure);
            }
            if (this.completions.length >= count) clearInterval(check);
          }, 100);
          check.unref();
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Forgets what was submitted and completed so far (between warm-up and measurement). */
  reset(): void {
    this.submittedAt.clear();
    this.completions.length = 0;
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private complete(completion: Completion): void {
    this.completions.push(completion);
    const count = this.completions.length;
    this.countWaiters = this.countWaiters.filter((waiter) => {
      if (count < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
  }
}
