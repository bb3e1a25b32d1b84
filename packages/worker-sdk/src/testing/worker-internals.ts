import {
  RuntimeDiagnostics,
  WORKER_INTERNALS,
  type WorkerDiagnostics,
} from '../runtime/runtime-diagnostics';
import { type Worker } from '../worker';

/**
 * Hooks into a worker created by `createWorker()`, for broker tests and fault injection: they
 * reach the runtime's diagnostics through a private symbol, never through the `Worker`
 * interface. Not covered by semver; production code must not use them.
 */
function internalsOf(worker: Worker): RuntimeDiagnostics {
  const internals = (worker as Partial<Record<typeof WORKER_INTERNALS, unknown>>)[WORKER_INTERNALS];
  if (!(internals instanceof RuntimeDiagnostics)) {
    throw new TypeError('not a worker created by createWorker()');
  }
  return internals;
}

/**
 * Destroys the worker's TCP socket, as a network cut does (no AMQP close handshake), and returns
 * the request ids it had in flight. The worker reconnects by itself.
 */
export function destroySocket(worker: Worker): string[] {
  return internalsOf(worker).cutConnection(true);
}

/**
 * Simulates the death of the worker's process: destroys its socket and never reconnects, so
 * nothing it was doing is acked or published any more. Returns the request ids it had in flight.
 */
export function killWorker(worker: Worker): string[] {
  return internalsOf(worker).cutConnection(false);
}

/** Channel-level and batching counters: setups (1 + reconnects), channel errors, dropped settlements, response batches. */
export function diagnostics(worker: Worker): WorkerDiagnostics {
  return internalsOf(worker).snapshot();
}

/** Resolves once the worker has set up its consumer channel `count` times in total (1 = started). */
export function waitForSetups(worker: Worker, count: number): Promise<void> {
  return internalsOf(worker).waitForSetups(count);
}
