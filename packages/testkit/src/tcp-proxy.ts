import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'blackhole' | 'hold';

/** AMQP 0-9-1: a heartbeat frame is type 8 on channel 0 with an empty payload. */
const AMQP_HEARTBEAT = 8;
const AMQP_PROTOCOL_HEADER = 8;
const AMQP_FRAME_OVERHEAD = 8;

/**
 * Cuts a client's AMQP byte stream into frames (after the 8-byte protocol header), so the proxy
 * can hold everything but heartbeats: the broker then receives nothing the client sends (no
 * publishes, so no confirms) while both sides keep hearing each other's heartbeats, and the
 * connection stays up, as with a broker that stalls its confirms.
 */
class AmqpFrames {
  private buffer: Buffer = Buffer.alloc(0);
  private headerSeen = false;
  /** Not an AMQP client (PostgreSQL, say): chunks pass as they come. */
  private raw = false;

  /** Appends `chunk` and returns the complete units (the protocol header, then whole frames). */
  push(chunk: Buffer): Buffer[] {
    if (this.raw) return [chunk];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const units: Buffer[] = [];
    if (!this.headerSeen) {
      if (this.buffer.length < AMQP_PROTOCOL_HEADER) return units;
      if (this.buffer.subarray(0, 4).toString('latin1') !== 'AMQP') {
        this.raw = true;
        const all = this.buffer;
        this.buffer = Buffer.alloc(0);
        return [all];
      }
      units.push(this.buffer.subarray(0, AMQP_PROTOCOL_HEADER));
      this.buffer = this.buffer.subarray(AMQP_PROTOCOL_HEADER);
      this.headerSeen = true;
    }
    while (this.buffer.length >= AMQP_FRAME_OVERHEAD - 1) {
      const size = this.buffer.readUInt32BE(3);
      const total = size + AMQP_FRAME_OVERHEAD;
      if (this.buffer.length < total) break;
      units.push(this.buffer.subarray(0, total));
      this.buffer = this.buffer.subarray(total);
    }
    return units;
  }
}

function isHeartbeat(frame: Buffer): boolean {
  return frame.length === AMQP_FRAME_OVERHEAD && frame[0] === AMQP_HEARTBEAT;
}

/**
 * A TCP proxy between a client under test and a real server (RabbitMQ, PostgreSQL), to inject
 * network faults: a black hole (bytes are swallowed, connections stay open, as when a cable is
 * cut), added latency, or every connection reset at once.
 */
export class TcpProxy {
  private mode: ProxyMode = 'pass';
  private latencyMs = 0;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; held: Buffer[] }>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts a proxy on a free loopback port forwarding to `targetHost:targetPort`. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((client) => holder.proxy?.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (address === null || typeof address === 'string')
      throw new Error('proxy has no TCP address');
    holder.proxy = new TcpProxy(server, address.port);
    return holder.proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  proxiedUrl(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Swallows every byte in both directions until {@link restore}; connections stay open. */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  /**
   * Holds every AMQP frame clients send but heartbeats, until {@link restore}: the broker gets
   * no publish (so no confirm comes back) and no ack, while the connections stay alive. For
   * AMQP clients only.
   */
  holdClientFrames(): void {
    this.mode = 'hold';
  }

  /** Frames held so far (all connections). */
  get heldFrames(): number {
    let count = 0;
    for (const pair of this.pairs) count += pair.held.length;
    return count;
  }

  /** Forwards bytes again (frames held are sent first, in order), with no added latency. */
  restore(): void {
    this.mode = 'pass';
    this.latencyMs = 0;
    for (const pair of this.pairs) {
      for (const frame of pair.held.splice(0))
        if (!pair.upstream.destroyed) pair.upstream.write(frame);
    }
  }

  /** Delays every chunk in both directions by `ms`. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Resets every open connection, as a crashed peer would. */
  resetAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.pairs.clear();
  }

  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    const pair = { client, upstream, held: [] as Buffer[] };
    this.pairs.add(pair);
    const send = (to: Socket, chunk: Buffer) => {
      if (this.latencyMs === 0) to.write(chunk);
      // Chunks keep their order: each one waits the same delay after the previous arrived.
      else setTimeout(() => to.destroyed || to.write(chunk), this.latencyMs);
    };
    const frames = new AmqpFrames();
    client.on('data', (chunk: Buffer) => {
      if (this.mode === 'blackhole') return;
      // Frames are tracked from the first byte, so holding can start at any moment.
      for (const unit of frames.push(chunk)) {
        if (this.mode === 'hold' && !isHeartbeat(unit)) pair.held.push(unit);
        else if (pair.held.length > 0 && this.mode !== 'hold') {
          pair.held.push(unit);
          for (const frame of pair.held.splice(0)) send(upstream, frame);
        } else send(upstream, unit);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode === 'blackhole') return;
      send(client, chunk);
    });
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }
}
