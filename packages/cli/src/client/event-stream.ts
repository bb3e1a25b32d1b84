import { CliError, EXIT } from '../exit-codes';
import { type ApiClient, type Query } from './api-client';

/** An event as `GET /api/v1/events` sends it (see the manager's event-view.ts). */
export interface StreamedEvent {
  readonly requestId: string;
  readonly state: string;
  readonly contentType: string;
  readonly requestContentType: string;
  readonly messages: readonly string[];
  readonly progress?: number;
  readonly step?: number;
  readonly workflow?: string;
  readonly workerType?: string;
  readonly workerId?: string;
  readonly outputBytes: number;
}

/** An open event stream: `ready` resolves once the manager has bound it (nothing later is missed). */
export interface EventStream {
  readonly ready: Promise<void>;
  /** Every event, in order; ends when the stream closes or {@link close} is called. */
  readonly events: AsyncIterable<StreamedEvent>;
  close(): void;
}

/** Opens `GET /api/v1/events` with `query` and reads its Server-Sent Events. */
export async function openEventStream(client: ApiClient, query: Query): Promise<EventStream> {
  const abort = new AbortController();
  const response = await client.open('/api/v1/events', query, abort.signal);
  let markReady!: () => void;
  let failReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  // Nobody may await ready (a stream closed early): no unhandled rejection then.
  ready.catch(() => undefined);
  // Read at once, not when the caller starts iterating: `ready` must resolve before the caller
  // submits, and events arriving meanwhile wait in the queue.
  const queue = new EventQueue();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!message) continue;
          if (message.event === 'ready') markReady();
          else if (message.event === 'overflow') {
            // The manager ends a stream its reader cannot keep up with.
            const { reason } = JSON.parse(message.data) as { reason?: string };
            throw new CliError(
              `the manager ended the event stream: ${reason ?? 'overflow'}`,
              EXIT.unreachable,
            );
          } else queue.push(JSON.parse(message.data) as StreamedEvent);
        }
      }
      queue.end();
    } catch (error) {
      if (abort.signal.aborted) queue.end();
      else queue.fail(error as Error);
    } finally {
      failReady(new Error('the event stream closed before it was ready'));
    }
  })();
  return { ready, events: queue, close: () => abort.abort() };
}

function parseBlock(block: string): { event: string; data: string } | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') };
}

/** Events read but not yet consumed, as an async iterable for one consumer. */
class EventQueue implements AsyncIterable<StreamedEvent> {
  private readonly items: StreamedEvent[] = [];
  private done = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  push(event: StreamedEvent): void {
    this.items.push(event);
    this.notify();
  }

  end(): void {
    this.done = true;
    this.notify();
  }

  fail(error: Error): void {
    this.error = error;
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamedEvent> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.error) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
