import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'blackhole';

/**
 * A TCP proxy between a client under test and a real server (RabbitMQ, PostgreSQL), to inject
 * network faults: a black hole (bytes are swallowed, connections stay open, as when a cable is
 * cut), added latency, or every connection reset at once.
 */
export class TcpProxy {
  private mode: ProxyMode = 'pass';
  private latencyMs = 0;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();

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

  /** Forwards bytes again, with no added latency. */
  restore(): void {
    this.mode = 'pass';
    this.latencyMs = 0;
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
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (this.mode === 'blackhole') return;
        if (this.latencyMs === 0) to.write(chunk);
        // Chunks keep their order: each one waits the same delay after the previous arrived.
        else setTimeout(() => to.destroyed || to.write(chunk), this.latencyMs);
      });
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }
}
