import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import {
  buildWorkerMessage,
  type Names,
  type WorkerMessageKind,
  type WorkerStatusInput,
} from '@org/protocol';

/** Settings of a {@link SimulatedFleet}. */
export interface FleetOptions {
  readonly names: Names;
  readonly amqpUrl: string;
  /** Simulated instances. */
  readonly instances: number;
  /** Worker types; instance i belongs to `types[i % types.length]`. */
  readonly types: readonly string[];
  /** Every instance heartbeats this often, phases spread evenly over the interval. */
  readonly heartbeatIntervalMs: number;
  /** Broker connections the fleet shares. @default one per 5,000 instances, 1–8 */
  readonly connections?: number;
  /** Concurrency each instance advertises. @default 4 */
  readonly concurrency?: number;
}

/** How often the scheduler looks for instances whose heartbeat is due. */
const TICK_MS = 20;

/**
 * Thousands of worker instances in one process, reduced to what the manager hears of them:
 * registration, a heartbeat every interval (phases spread so the rate is even), unregistration.
 * They share a few connections, as the issue allows; each publish goes out as its instance's
 * own message (own id, own body). Publish times are kept per instance, so a measurer can tell
 * how long after a heartbeat left its lease was written.
 */
export class SimulatedFleet {
  readonly ids: string[];
  readonly typeOf: string[];
  /** When each instance's latest heartbeat (or registration) was published, epoch ms. */
  readonly lastPublished: Float64Array;
  /** The one before it. */
  readonly previousPublished: Float64Array;
  readonly published: Record<WorkerMessageKind, number> = {
    register: 0,
    heartbeat: 0,
    unregister: 0,
  };
  private readonly killed: Uint8Array;
  private readonly indexById = new Map<string, number>();
  private readonly startedAt = new Date().toISOString();
  private connectionModels: ChannelModel[] = [];
  private channels: ConfirmChannel[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private cursor = 0;
  private cycleStart = 0;
  private pausedAt: number | undefined;

  private constructor(private readonly options: FleetOptions) {
    const run = randomBytes(3).toString('hex');
    this.ids = Array.from(
      { length: options.instances },
      (_, index) => `sim-${run}-${String(index).padStart(6, '0')}`,
    );
    this.typeOf = this.ids.map((_, index) => options.types[index % options.types.length]!);
    this.ids.forEach((id, index) => this.indexById.set(id, index));
    this.lastPublished = new Float64Array(options.instances);
    this.previousPublished = new Float64Array(options.instances);
    this.killed = new Uint8Array(options.instances);
  }

  /** Connects, registers every instance (paced by the broker's flow control), starts heartbeating. */
  static async start(options: FleetOptions): Promise<SimulatedFleet> {
    const fleet = new SimulatedFleet(options);
    await fleet.open();
    for (let index = 0; index < options.instances; index++) await fleet.send(index, 'register');
    fleet.cycleStart = Date.now();
    fleet.timer = setInterval(() => void fleet.tick(), TICK_MS);
    return fleet;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Instances still heartbeating. */
  get alive(): number {
    return this.killed.reduce((count, dead) => count + (dead ? 0 : 1), this.size);
  }

  indexOf(id: string): number | undefined {
    return this.indexById.get(id);
  }

  isKilled(index: number): boolean {
    return this.killed[index] === 1;
  }

  /** Silences instances without a word, as a crash or a SIGKILL would. */
  kill(indices: readonly number[]): void {
    for (const index of indices) this.killed[index] = 1;
  }

  /**
   * Holds every heartbeat (briefly: well under the expiry), so a measurer can count what the
   * broker delivered against what was published with nothing in between; resumes on schedule.
   */
  async pause(): Promise<void> {
    this.pausedAt ??= Date.now();
    while (this.ticking) await new Promise((resolve) => setTimeout(resolve, TICK_MS / 4));
    // Everything published so far is in the broker's queue, not in this process's buffers.
    await Promise.all(this.channels.map((channel) => channel.waitForConfirms()));
  }

  resume(): void {
    if (this.pausedAt === undefined) return;
    // The schedule shifts by the pause: no burst of missed heartbeats afterwards.
    this.cycleStart += Date.now() - this.pausedAt;
    this.pausedAt = undefined;
  }

  /** Stops heartbeating; unregisters the live instances first when asked. */
  async stop(unregister: boolean): Promise<void> {
    clearInterval(this.timer);
    while (this.ticking) await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    if (unregister) {
      for (let index = 0; index < this.size; index++)
        if (!this.killed[index]) await this.send(index, 'unregister');
    }
    for (const model of this.connectionModels) await model.close().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const count = this.options.connections ?? Math.min(8, Math.max(1, Math.ceil(this.size / 5000)));
    for (let index = 0; index < count; index++) {
      const model = await connect(this.options.amqpUrl, {
        clientProperties: { connection_name: `wm-sim-fleet-${index}` },
      });
      model.on('error', () => undefined);
      // Confirm channels: a pause can wait until the broker has every message published so far.
      const channel = await model.createConfirmChannel();
      channel.on('error', () => undefined);
      this.connectionModels.push(model);
      this.channels.push(channel);
    }
  }

  /** Publishes every heartbeat due by now, in phase order. */
  private async tick(): Promise<void> {
    if (this.ticking || this.pausedAt !== undefined) return;
    this.ticking = true;
    try {
      const interval = this.options.heartbeatIntervalMs;
      const now = Date.now();
      while (this.pausedAt === undefined) {
        const due = this.cycleStart + (this.cursor * interval) / this.size;
        if (due > now) break;
        const index = this.cursor;
        this.cursor += 1;
        if (this.cursor === this.size) {
          this.cursor = 0;
          this.cycleStart += interval;
        }
        if (!this.killed[index]) await this.send(index, 'heartbeat');
      }
    } finally {
      this.ticking = false;
    }
  }

  private async send(index: number, kind: WorkerMessageKind): Promise<void> {
    const body: WorkerStatusInput = {
      id: this.ids[index]!,
      type: this.typeOf[index]!,
      status: 'ready',
      version: 'sim',
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      concurrency: this.options.concurrency ?? 4,
      inFlight: 0,
      processed: 0,
    };
    const message = buildWorkerMessage(this.options.names, kind, body);
    const channel = this.channels[index % this.channels.length]!;
    const now = Date.now();
    this.previousPublished[index] = this.lastPublished[index]!;
    this.lastPublished[index] = now;
    this.published[kind] += 1;
    if (!channel.publish(message.exchange, message.routingKey, message.content, message.options)) {
      await new Promise((resolve) => channel.once('drain', resolve));
    }
  }
}
