import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import {
  assertTopology,
  buildRequest,
  buildRequestBatch,
  decodeFrame,
  HEADERS,
  isBatch,
  managerTopology,
  routingWord,
} from '@org/protocol';
import { type ConsumeMessage } from 'amqplib';
import { createTestNamespace, type TestNamespace } from '@org/testkit';
import { BENCH, BENCH_WORKER_TYPES, writeBenchConfig } from './bench-config';
import { Child } from './child-process';
import { completionQueue } from './completion-queue';
import { runBatchBurst, runBurst, type BurstResult } from './load';
import { MANAGER_MAIN, WORKER_SCRIPTS } from './paths';
import { type Publishable, Requester } from './requester';

export interface SystemOptions {
  /** Namespace prefix, one per scenario. */
  readonly prefix: string;
  readonly concurrency: number;
  /** Start a worker process with the manager. @default true */
  readonly withWorker?: boolean;
}

/** Why the system scenarios cannot run yet, or `undefined` when the manager and the SDK are built. */
export function systemUnavailable(): string | undefined {
  if (!existsSync(MANAGER_MAIN))
    return 'the manager is not built (apps/manager/dist/main.js missing: run pnpm build)';
  if (!existsSync(WORKER_SCRIPTS.sdk))
    return 'the SDK worker of the bench is not built (packages/worker-sdk not ready)';
  return undefined;
}

/**
 * This system, end to end, in its own namespace: the manager as a child process
 * (`node apps/manager/dist/main.js`), a noop SDK worker process, and two requesters. One publishes
 * requests one per message with `buildRequest` and counts SUCCESS events on a queue bound to
 * `<ns>.events`. The other sends request batches and takes its events the way design 5.2 offers
 * a requester with many to send: on its own `replyTo` queue, in event batches
 * (`wm-accept-batch: true`); nothing is bound to `<ns>.events` while it runs.
 */
export class SystemUnderTest {
  workers: Child[] = [];

  private constructor(
    readonly ns: TestNamespace,
    readonly manager: Child,
    readonly requester: Requester,
    /** Sends request batches; its SUCCESS events come back in event batches on {@link replies}. */
    readonly batchRequester: Requester,
    /** The batch requester's `replyTo` queue. */
    private readonly replies: string,
    /** The one-per-message requester's queue, bound to `<ns>.events` with {@link successPattern}. */
    private readonly successes: string,
    private readonly options: SystemOptions,
    /** The manager's HTTP port (the dashboard scenario calls its pages). */
    readonly port: number,
  ) {}

  static async start(options: SystemOptions): Promise<SystemUnderTest> {
    const ns = await createTestNamespace(options.prefix);
    try {
      for (const type of BENCH_WORKER_TYPES) ns.workerTypes.add(type);
      // Declared before the manager starts (identically: one definition in the protocol), so
      // requests can be published at once and wait in the manager's queue.
      await assertTopology(ns.channel, managerTopology(ns.names, BENCH_WORKER_TYPES));
      const successes = await completionQueue(ns, 'events', {
        exchange: ns.names.exchanges.events,
        pattern: successPattern,
      });
      const replies = await completionQueue(ns, 'replies');
      const port = await freePort();
      const manager = await Child.start(MANAGER_MAIN, {
        logName: `${options.prefix}-manager`,
        waitForReady: false,
        env: ns.env({
          WM_CONFIG: writeBenchConfig(ns.name),
          PORT: String(port),
          LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
        }),
      });
      ns.defer(() => manager.stop());
      manager.sampleRss();
      // A worker started before the manager listens would only be heard at its next heartbeat.
      await Promise.race([waitForReady(port), manager.failOnExit()]);
      const requester = await Requester.open({
        amqpUrl: ns.amqpUrl,
        completionQueue: successes,
        completionId: (message) =>
          message.properties.headers?.[HEADERS.requestId] as string | undefined,
      });
      ns.defer(() => requester.close());
      const batchRequester = await Requester.open({
        amqpUrl: ns.amqpUrl,
        completionQueue: replies,
        completionId: successIds,
      });
      ns.defer(() => batchRequester.close());
      const system = new SystemUnderTest(
        ns,
        manager,
        requester,
        batchRequester,
        replies,
        successes,
        options,
        port,
      );
      if (options.withWorker !== false) await system.startWorker();
      return system;
    } catch (error) {
      await ns.cleanup();
      throw error;
    }
  }

  /** Starts one noop SDK worker process serving every bench worker type; resolves once it started. */
  async startWorker(): Promise<Child> {
    const worker = await Child.start(WORKER_SCRIPTS.sdk, {
      logName: `${this.options.prefix}-worker-${this.workers.length + 1}`,
      env: {
        ...this.ns.env(),
        BENCH_WORKER_TYPES: BENCH_WORKER_TYPES.join(','),
        BENCH_CONCURRENCY: String(this.options.concurrency),
        // Liveness is judged on heartbeats; a short interval only matters if a registration is missed.
        WM_HEARTBEAT_INTERVAL_MS: process.env['WM_HEARTBEAT_INTERVAL_MS'] ?? '2000',
      },
    });
    this.workers.push(worker);
    this.ns.defer(() => worker.stop());
    return worker;
  }

  /** A one-step request (`contentType` = the noop worker's) or a workflow request. */
  request(contentType: string = BENCH.noopContentType): { id: string; message: Publishable } {
    const id = randomUUID();
    return {
      id,
      message: buildRequest(this.ns.names, { requestId: id, contentType, body: Buffer.from('{}') }),
    };
  }

  /** A burst of `count` requests; fails at once if the manager dies. */
  burst(
    count: number,
    contentType: string = BENCH.noopContentType,
    timeoutMs = 180_000,
  ): Promise<BurstResult> {
    return Promise.race([
      runBurst(
        this.requester,
        count,
        () => this.request(contentType),
        timeoutMs,
        `${count} ${contentType} requests`,
      ),
      this.manager.failOnExit(),
    ]);
  }

  /**
   * A burst of `count` requests sent as request batches of `batchSize` (design 5.2: one message
   * per batch, each item routed by its own content type), whose events come back in event
   * batches on the requester's `replyTo` queue; fails at once if the manager dies. The
   * one-per-message requester's queue is unbound from `<ns>.events` meanwhile, so no event is
   * stored twice.
   */
  async batchBurst(
    count: number,
    batchSize: number,
    contentType: string = BENCH.noopContentType,
    timeoutMs = 180_000,
  ): Promise<BurstResult> {
    const events = this.ns.names.exchanges.events;
    await this.ns.channel.unbindQueue(this.successes, events, successPattern);
    try {
      return await this.runBatchBurst(count, batchSize, contentType, timeoutMs);
    } finally {
      await this.ns.channel.bindQueue(this.successes, events, successPattern);
    }
  }

  private runBatchBurst(
    count: number,
    batchSize: number,
    contentType: string,
    timeoutMs: number,
  ): Promise<BurstResult> {
    const body = Buffer.from('{}');
    const replyTo = this.replies;
    return Promise.race([
      runBatchBurst(
        this.batchRequester,
        count,
        batchSize,
        (indexes) => {
          const ids = indexes.map(() => randomUUID());
          const message = buildRequestBatch(
            this.ns.names,
            ids.map((requestId) => ({
              requestId,
              contentType,
              body,
              replyTo,
              acceptBatch: true,
            })),
          );
          return { ids, message };
        },
        timeoutMs,
        `${count} ${contentType} requests in batches of ${batchSize}`,
      ),
      this.manager.failOnExit(),
    ]);
  }

  /**
   * The first requests wait for the manager to boot, migrate and hear the worker's registration,
   * so the warm-up doubles as the readiness check.
   */
  async warmUp(count: number, contentType: string = BENCH.noopContentType): Promise<void> {
    await this.burst(count, contentType, 120_000);
  }

  async stop(): Promise<void> {
    await this.ns.cleanup();
  }
}

const successPattern = `${routingWord('SUCCESS')}.#`;

/**
 * The requests a message on the batch requester's `replyTo` queue reports as SUCCESS: each
 * SUCCESS item of an event batch, or the request of a single SUCCESS event. Other events
 * (GRANTED) count for nothing.
 */
function successIds(message: ConsumeMessage): string[] {
  if (isBatch(message)) {
    // The frame's item headers are all a requester counting outcomes reads (a full
    // `parseEventBatch` validates every field of every event, and its CPU is the requester's).
    const frame = decodeFrame(message.content);
    if (!frame.ok) throw new Error(`unreadable event batch: ${frame.reason}`);
    return frame.items.flatMap(({ header }) =>
      header[HEADERS.state] === 'SUCCESS' ? [header[HEADERS.requestId] as string] : [],
    );
  }
  const headers = message.properties.headers ?? {};
  return headers[HEADERS.state] === 'SUCCESS' ? [headers[HEADERS.requestId] as string] : [];
}

/** A free TCP port for the manager's HTTP server, so scenarios never collide with a running manager. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls `GET /health/ready` until it answers 200 (the manager migrated and consumes). */
async function waitForReady(port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      // 404: a manager without the health module yet; Nest only listens once every module
      // started (consumers included), so an answer at all means ready.
      if (response.ok || response.status === 404) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the manager was not ready within ${timeoutMs} ms (/health/ready: ${last})`);
}
