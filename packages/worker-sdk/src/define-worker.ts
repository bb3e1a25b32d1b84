import { type WorkerOptions } from './worker-options';

/**
 * Returns its argument, typed: `job.payload` is inferred from the `payload` class. Lets a worker
 * module export one definition that its `main` passes to `createWorker` and its unit tests pass
 * to `runJob` from `@org/worker-sdk/testing`.
 */
export function defineWorker<T = unknown>(options: WorkerOptions<T>): WorkerOptions<T> {
  return options;
}
