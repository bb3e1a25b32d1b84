import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import { type Channel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { buildRequest, HEADERS, type Names, type RequestInput } from '@org/protocol';
import { waitFor } from '@org/testkit';
import { type FaultNamespace } from './fault-namespace';

/** Terminal event states: each request reaches exactly one per cycle. */
export const TERMINAL_STATES: ReadonlySet<string> = new Set([
  'SUCCESS',
  'ERROR',
  'INVALID_CONTENT',
  'CANCELLED',
  'SKIPPED',
]);

export interface SeenEvent {
  readonly state: string;
  readonly messageId: string | undefined;
  readonly at: number;
  readonly messages: unknown;
}

/**
 * A requester that survives broker restarts: it publishes with publisher confirms over a
 * reconnecting connection (an unconfirmed message is published again after a reconnect), and
 * collects every event of the namespace on a durable queue of its own, so no event is missed
 * while the broker is away.
 */
export class Requester {
  /** Events by request id, in arrival order. */
  readonly events = new Map<string, SeenEvent[]>();
  private readonly connection: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private readonly consumer: ChannelWrapper;
  private readonly eventsQueue: string;

  private constructor(
    private readonly ns: FaultNamespace,
    url: string,
  ) {
    this.eventsQueue = `${ns.name}.faults.events`;
    this.connection = amqp.connect([url], {
      heartbeatIntervalInSeconds: 5,
      reconnectTimeInSeconds: 0.5,
    });
    this.connection.on('connectFailed', () => undefined);
    this.publisher = this.connection.createChannel({ confirm: true, publishTimeout: 120_000 });
    this.publisher.on('error', () => undefined);
    this.consumer = this.connection.createChannel({
      setup: async (channel: ConfirmChannel) => {
        await channel.assertQueue(this.eventsQueue, { durable: true });
        await channel.bindQueue(this.eventsQueue, ns.names.exchanges.events, '#');
        await channel.prefetch(2000);
        await channel.consume(this.eventsQueue, (message) => {
          if (!message) return;
          this.record(message);
          channel.ack(message);
        });
      },
    });
    this.consumer.on('error', () => undefined);
  }

  /** Connects once the manager has declared the topology (the events exchange must exist). */
  static async start(ns: FaultNamespace, url = ns.amqpUrl): Promise<Requester> {
    const requester = new Requester(ns, url);
    ns.defer(() => requester.close());
    await requester.publisher.waitForConnect();
    await requester.consumer.waitForConnect();
    return requester;
  }

  get names(): Names {
    return this.ns.names;
  }

  /** Publishes one request; resolves once the broker confirmed it (the request is accepted). */
  async publish(input: RequestInput): Promise<void> {
    const message = buildRequest(this.ns.names, input);
    await this.publisher.publish(message.exchange, message.routingKey, message.content, {
      ...message.options,
    });
  }

  /** Publishes a raw message (bad-input scenarios) and waits for its confirm. */
  async publishRaw(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Parameters<Channel['publish']>[3],
  ): Promise<void> {
    await this.publisher.publish(exchange, routingKey, content, options);
  }

  /**
   * Publishes `count` requests `<prefix>-<n>` of `contentType`, at most `window` unconfirmed at
   * once, and returns the ids the broker confirmed (accepted) in order.
   */
  async publishMany(
    prefix: string,
    count: number,
    contentType: string,
    window = 500,
  ): Promise<string[]> {
    const accepted: string[] = [];
    const pending = new Set<Promise<void>>();
    for (let index = 0; index < count; index++) {
      const id = `${prefix}-${index}`;
      const sent = this.publish({ requestId: id, contentType, body: Buffer.from(`payload ${id}`) })
        .then(() => void accepted.push(id))
        .catch(() => undefined)
        .finally(() => pending.delete(sent));
      pending.add(sent);
      if (pending.size >= window) await Promise.race(pending);
    }
    await Promise.all(pending);
    return accepted;
  }

  /** Terminal events seen for `id`. */
  terminals(id: string): SeenEvent[] {
    return (this.events.get(id) ?? []).filter((event) => TERMINAL_STATES.has(event.state));
  }

  /** The first terminal state of `id`, if any. */
  outcome(id: string): string | undefined {
    return this.terminals(id)[0]?.state;
  }

  /** Waits until every id has a terminal event. */
  async waitTerminal(
    ids: readonly string[],
    timeoutMs = 60_000,
    what = 'terminal events',
  ): Promise<void> {
    await waitFor(() => ids.every((id) => this.terminals(id).length > 0), {
      timeoutMs,
      intervalMs: 100,
      what: `${what} (${ids.filter((id) => this.terminals(id).length > 0).length}/${ids.length})`,
    });
  }

  /** How many requests reached SUCCESS so far. */
  successes(): number {
    let count = 0;
    for (const events of this.events.values())
      if (events.some((event) => event.state === 'SUCCESS')) count += 1;
    return count;
  }

  async close(): Promise<void> {
    await this.consumer
      .addSetup((channel: Channel) => channel.deleteQueue(this.eventsQueue))
      .catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  private record(message: ConsumeMessage): void {
    const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
    const id = headers[HEADERS.requestId];
    const state = headers[HEADERS.state];
    if (typeof id !== 'string' || typeof state !== 'string') return;
    const list = this.events.get(id) ?? [];
    list.push({
      state,
      messageId: message.properties.messageId as string | undefined,
      at: Date.now(),
      messages: headers[HEADERS.messages],
    });
    this.events.set(id, list);
  }
}
