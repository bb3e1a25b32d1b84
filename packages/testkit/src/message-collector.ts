import { type Channel, type ConsumeMessage } from 'amqplib';
import { withTimeout } from './wait';

/**
 * Collects every message routed to a private queue bound to `exchange` with `pattern`, so a test
 * can wait for the messages it expects instead of sleeping.
 */
export class MessageCollector {
  readonly messages: ConsumeMessage[] = [];
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  private constructor(
    private readonly channel: Channel,
    readonly queue: string,
  ) {}

  static async start(
    channel: Channel,
    exchange: string,
    pattern = '#',
    bindArgs?: Record<string, unknown>,
  ): Promise<MessageCollector> {
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, exchange, pattern, bindArgs);
    const collector = new MessageCollector(channel, queue);
    await channel.consume(queue, (message) => message && collector.add(message), { noAck: true });
    return collector;
  }

  /** Collects what arrives on an existing queue (e.g. a requester's replyTo queue). */
  static async fromQueue(channel: Channel, queue: string): Promise<MessageCollector> {
    const collector = new MessageCollector(channel, queue);
    await channel.consume(queue, (message) => message && collector.add(message), { noAck: true });
    return collector;
  }

  private add(message: ConsumeMessage): void {
    this.messages.push(message);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.check()) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Messages matching `predicate` so far. */
  matching(predicate: (message: ConsumeMessage) => boolean): ConsumeMessage[] {
    return this.messages.filter(predicate);
  }

  /** Waits until at least `count` collected messages match `predicate`, and returns them. */
  async waitFor(
    count: number,
    predicate: (message: ConsumeMessage) => boolean = () => true,
    timeoutMs = 15_000,
    what = `${count} message(s) on ${this.queue}`,
  ): Promise<ConsumeMessage[]> {
    const check = () => this.matching(predicate).length >= count;
    if (!check()) {
      await withTimeout(
        new Promise<void>((resolve) => this.waiters.push({ check, resolve })),
        timeoutMs,
        `${what} (got ${this.matching(predicate).length})`,
      );
    }
    return this.matching(predicate);
  }

  /** Waits for the first message matching `predicate`. */
  async first(
    predicate: (message: ConsumeMessage) => boolean,
    timeoutMs = 15_000,
    what?: string,
  ): Promise<ConsumeMessage> {
    const [message] = await this.waitFor(1, predicate, timeoutMs, what);
    return message!;
  }

  header(message: ConsumeMessage, name: string): unknown {
    const headers: Record<string, unknown> | undefined = message.properties.headers;
    return headers?.[name];
  }

  async stop(): Promise<void> {
    await this.channel.deleteQueue(this.queue).catch(() => undefined);
  }
}
