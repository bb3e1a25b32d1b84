import { randomBytes } from 'node:crypto';
import { type ConfirmChannel } from 'amqplib';
import { buildRequest, type Names } from '@org/protocol';

/**
 * The load generator: publishes requests on `<ns>.requests` as a requester does (persistent,
 * confirmed), either all at once or at a steady rate, and remembers every id it sent.
 */
export class RequestLoad {
  readonly sent: string[] = [];
  /** When each of {@link sent} was published (same index), epoch ms. */
  readonly sentAt: number[] = [];
  private readonly run = randomBytes(3).toString('hex');

  constructor(
    private readonly channel: ConfirmChannel,
    private readonly names: Names,
  ) {}

  /** Publishes `count` requests of `contentType` and waits for the broker's confirms. */
  async burst(contentType: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) ids.push(this.publish(contentType));
    await this.channel.waitForConfirms();
    return ids;
  }

  /** Publishes `perSecond` requests a second for `durationMs`, spread evenly; resolves when done. */
  async steady(
    contentTypes: readonly string[],
    perSecond: number,
    durationMs: number,
  ): Promise<void> {
    const start = Date.now();
    let sent = 0;
    const total = Math.round((perSecond * durationMs) / 1000);
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - start) * perSecond) / 1000));
      for (; sent < due; sent++) this.publish(contentTypes[sent % contentTypes.length]!);
      await this.channel.waitForConfirms();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private publish(contentType: string): string {
    const requestId = `sim-${this.run}-${this.sent.length}`;
    const message = buildRequest(this.names, {
      requestId,
      contentType,
      body: Buffer.from(JSON.stringify({ n: this.sent.length })),
      mimeType: 'application/json',
    });
    this.channel.publish(message.exchange, message.routingKey, message.content, message.options);
    this.sent.push(requestId);
    this.sentAt.push(Date.now());
    return requestId;
  }
}
