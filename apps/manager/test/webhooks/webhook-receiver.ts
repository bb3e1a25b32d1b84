import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Socket } from 'node:net';
import { waitFor } from '@org/testkit';

/** One call the receiver got. */
export interface ReceivedCall {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly path: string;
}

/** How the receiver answers the next calls. */
export type ReceiverMode =
  | { readonly kind: 'ok' }
  /** Never answers (a slow receiver); the call stays open until the caller gives up. */
  | { readonly kind: 'hold' }
  /** 200, then streams `bytes` of body (a huge response). */
  | { readonly kind: 'huge'; readonly bytes: number }
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string }
  | { readonly kind: 'status'; readonly status: number };

/**
 * A local HTTP server standing in for a requester's webhook endpoint: records every call, answers
 * as its mode says, and can go down and come back on the same port.
 */
export class WebhookReceiver {
  readonly calls: ReceivedCall[] = [];
  mode: ReceiverMode = { kind: 'ok' };
  /** Bytes of huge bodies actually written before the caller hung up. */
  hugeWritten = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly host: string,
    public port: number,
  ) {}

  static async start(host = '127.0.0.1', port = 0): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(host, port);
    await receiver.listen();
    return receiver;
  }

  url(path = '/hook'): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  async listen(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening and drops open connections (held calls included). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `count` calls arrived. */
  async received(count: number, timeoutMs = 30_000): Promise<ReceivedCall[]> {
    return waitFor(() => this.calls.length >= count && this.calls, {
      timeoutMs,
      what: `${count} webhook call(s) (got ${this.calls.length})`,
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    this.calls.push({
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      path: request.url ?? '/',
    });
    const mode = this.mode;
    switch (mode.kind) {
      case 'ok':
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      case 'hold':
        return;
      case 'status':
        response
          .writeHead(mode.status, { 'content-type': 'text/plain' })
          .end(`answer ${mode.status}`);
        return;
      case 'redirect':
        response.writeHead(mode.status, { location: mode.location }).end();
        return;
      case 'huge': {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        const block = Buffer.alloc(64 * 1024, 120);
        while (this.hugeWritten < mode.bytes && !response.destroyed) {
          if (!response.write(block)) {
            await new Promise<void>((resolve) => {
              const done = (): void => {
                response.off('drain', done);
                response.off('close', done);
                resolve();
              };
              response.on('drain', done);
              response.on('close', done);
            });
          }
          if (!response.destroyed) this.hugeWritten += block.length;
        }
        if (!response.destroyed) response.end();
      }
    }
  }
}
