import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { buildRequest, parseEvent, type EventMessage, type Names } from '@org/protocol';

/**
 * The demo's requester side: one connection that submits requests (with publisher confirms) and
 * follows every event of the namespace on a private queue bound to `<ns>.events`.
 */
export class EventFeed {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly names: Names,
  ) {}

  static async open(
    amqpUrl: string,
    names: Names,
    onEvent: (event: EventMessage) => void,
  ): Promise<EventFeed> {
    const connection = await connect(amqpUrl);
    const channel = await connection.createConfirmChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, names.exchanges.events, '#');
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        const parsed = parseEvent(message);
        if (parsed.ok) onEvent(parsed.value);
      },
      { noAck: true },
    );
    return new EventFeed(connection, channel, names);
  }

  /** Publishes a JSON request and resolves once the broker has confirmed it. */
  async submit(requestId: string, contentType: string, payload: unknown): Promise<void> {
    const message = buildRequest(this.names, {
      requestId,
      contentType,
      mimeType: 'application/json',
      body: Buffer.from(JSON.stringify(payload)),
    });
    await new Promise<void>((resolve, reject) =>
      this.channel.publish(
        message.exchange,
        message.routingKey,
        message.content,
        message.options,
        (error) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      ),
    );
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
