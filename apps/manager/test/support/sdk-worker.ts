import { waitFor, type TestNamespace } from '@org/testkit';
import { createWorker, type Logger, type Worker, type WorkerOptions } from '@org/worker-sdk';
import { type RunningManager } from '../../src/start-manager';
import { WorkerCatalogue } from '../../src/workers/worker-catalogue.service';

/**
 * What a test chooses about an SDK worker (any `WorkerOptions`); the broker (unless `amqpUrl` is
 * given), namespace and timers come from the test. Defaults: concurrency 1, RUNNING at once.
 */
export type SdkWorkerOptions<T = unknown> = Pick<WorkerOptions<T>, 'type' | 'handler'> &
  Partial<WorkerOptions<T>>;

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
export async function startSdkWorker<T = unknown>(
  ns: TestNamespace,
  options: SdkWorkerOptions<T>,
  managers: readonly RunningManager[] = [],
): Promise<Worker> {
  ns.workerTypes.add(options.type);
  const worker = createWorker<T>({
    concurrency: 1,
    amqpUrl: ns.amqpUrl,
    namespace: ns.name,
    heartbeatIntervalMs: 200,
    // A held handler must not keep the cleanup waiting for the default 30 s grace.
    shutdownGraceMs: 1000,
    handleSignals: false,
    // These tests follow every state: RUNNING at once.
    runningAfterMs: 0,
    logger: quietLogger,
    ...options,
  });
  await worker.start();
  ns.defer(() => worker.stop());
  await waitFor(
    () => managers.every((manager) => manager.app.get(WorkerCatalogue).isAvailable(options.type)),
    { what: `${options.type} (SDK worker) available` },
  );
  return worker;
}
