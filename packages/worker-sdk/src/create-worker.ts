import { WorkerRuntime } from './runtime/worker-runtime';
import { type Worker } from './worker';
import { resolveWorkerOptions, type WorkerOptions } from './worker-options';

/**
 * Creates a worker of one type. Options are checked now (every problem listed in one TypeError);
 * nothing touches the network until `start()`.
 */
export function createWorker<T = unknown>(options: WorkerOptions<T>): Worker {
  return new WorkerRuntime(resolveWorkerOptions(options));
}
