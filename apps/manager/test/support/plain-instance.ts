import { randomBytes } from 'node:crypto';
import { type ConfirmChannel } from 'amqplib';
import {
  amqpTimestamp,
  buildWorkerMessage,
  type WorkerMessageKind,
  type WorkerStatusInput,
} from '@org/protocol';
import { type TestNamespace } from '@org/testkit';

/** What a plain instance says about itself beyond its id and type. */
export type PlainInstanceBody = Partial<Omit<WorkerStatusInput, 'id' | 'type'>>;

/**
 * A worker instance reduced to its liveness messages, published with plain amqplib from the
 * protocol's builder: what a worker in another language sends. `clockSkewMs` shifts every time
 * it writes (the AMQP `timestamp` property and `startedAt`), as a badly set worker clock would.
 */
export class PlainInstance {
  readonly id = `pi-${randomBytes(4).toString('hex')}`;
  /** Messages published so far, by kind. */
  readonly published: Record<WorkerMessageKind, number> = {
    register: 0,
    heartbeat: 0,
    unregister: 0,
  };
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly ns: TestNamespace,
    private readonly channel: ConfirmChannel,
    readonly type: string,
    private body: PlainInstanceBody,
    private readonly clockSkewMs: number,
  ) {}

  /** Opens a confirm channel on the namespace's connection and registers. */
  static async register(
    ns: TestNamespace,
    type: string,
    body: PlainInstanceBody = {},
    options: { clockSkewMs?: number } = {},
  ): Promise<PlainInstance> {
    const channel = await ns.connection.createConfirmChannel();
    channel.on('error', () => undefined);
    const instance = new PlainInstance(ns, channel, type, body, options.clockSkewMs ?? 0);
    ns.defer(() => instance.close());
    await instance.send('register');
    return instance;
  }

  /** Heartbeats every `intervalMs` until {@link silence} or {@link unregister}. */
  beat(intervalMs: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.send('heartbeat').catch(() => undefined), intervalMs);
  }

  /** Changes what the next messages say (status, stats). */
  update(body: PlainInstanceBody): void {
    this.body = { ...this.body, ...body };
  }

  /** Stops heartbeating without a word: a crashed or frozen instance. */
  silence(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async unregister(): Promise<void> {
    this.silence();
    await this.send('unregister');
  }

  /** Publishes one message of `kind` and waits for the broker's confirm. */
  async send(kind: WorkerMessageKind): Promise<void> {
    const now = new Date(Date.now() + this.clockSkewMs);
    const message = buildWorkerMessage(this.ns.names, kind, {
      status: 'ready',
      startedAt: now.toISOString(),
      ...this.body,
      id: this.id,
      type: this.type,
    });
    this.channel.publish(message.exchange, message.routingKey, message.content, {
      ...message.options,
      timestamp: amqpTimestamp(now),
    });
    this.published[kind] += 1;
    await this.channel.waitForConfirms();
  }

  async close(): Promise<void> {
    this.silence();
    await this.channel.close().catch(() => undefined);
  }
}
