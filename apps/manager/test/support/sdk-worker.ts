import { waitFor, type TestNamespace } from '@org/testkit';
import { createWorker, type Logger, type Worker, type WorkerHandler } from '@org/worker-sdk';
import { type RunningManager } from '../../src/start-manager';
import { WorkerCatalogue } from '../../src/workers/worker-catalogue.service';

/** What a test chooses about an SDK worker; the broker, namespace and timers come from the test. */
export interface SdkWorkerOptions {
  readonly type: string;
  readonly handler: WorkerHandler;
  /** @default 1 */
  readonly concurrency?: number;
  /** Send RUNNING when the handler starts (at once: these tests follow every state). @default true */
  readonly reportRunning?: boolean;
  /** Brokers to connect to, in order (a cluster's nodes). @default the namespace's `amqpUrl` */
  readonly amqpUrl?: string | readonly string[];
}

// Warnings and errors stay visible: a worker that cannot publish is the first thing to look at.
const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) => console.warn(message, fields ?? ''),
  error: (message, fields) => console.error(message, fields ?? ''),
  isLevelEnabled: (level) => level === 'warn' || level === 'error',
};

/**
 * Starts a worker built with `@org/worker-sdk` in the test's namespace (stopped at cleanup) and
 * waits until `managers` consider its type available: the worker an author would write.
 */
export async function startSdkWorker(
  ns: TestNamespace,
  options: SdkWorkerOptions,
  managers: readonly RunningManager[] = [],
): Promise<Worker> {
  ns.workerTypes.add(options.type);
  const worker = createWorker({
    type: options.type,
    handler: options.handler,
    concurrency: options.concurrency ?? 1,
    amqpUrl: options.amqpUrl ?? ns.amqpUrl,
    namespace: ns.name,
    heartbeatIntervalMs: 200,
    // A held handler must not keep the cleanup waiting for the default 30 s grace.
    shutdownGraceMs: 1000,
    handleSignals: false,
    reportRunning: options.reportRunning ?? true,
    runningAfterMs: 0,
    logger: quietLogger,
  });
  await worker.start();
  ns.defer(() => worker.stop());
  await waitFor(
    () => managers.every((manager) => manager.app.get(WorkerCatalogue).isAvailable(options.type)),
    { what: `${options.type} (SDK worker) available` },
  );
  return worker;
}
