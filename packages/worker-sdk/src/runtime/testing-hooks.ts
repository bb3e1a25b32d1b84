/**
 * Testing hooks into a worker created by `createWorker()`: for this package's own broker tests
 * and fault-injection suites. Not exported from the package entry points and not covered by
 * semver; production code must not use them.
 */
import { type Worker } from '../worker';
import { WorkerRuntime, type WorkerDiagnostics } from './worker-runtime';

function runtimeOf(worker: Worker): WorkerRuntime<unknown> {
  if (!(worker instanceof WorkerRuntime))
    throw new TypeError('not a worker created by createWorker()');
  return worker as WorkerRuntime<unknown>;
}

/**
 * Destroys the worker's TCP socket, as a network cut does (no AMQP close handshake), and returns
 * the request ids it had in flight. The worker reconnects by itself.
 */
export function destroySocket(worker: Worker): string[] {
  return runtimeOf(worker).destroySocketForTesting(true);
}

/**
 * Simulates the death of the worker's process: destroys its socket and never reconnects, so
 * nothing it was doing is acked or published any more. Returns the request ids it had in flight.
 */
export function killWorker(worker: Worker): string[] {
  return runtimeOf(worker).destroySocketForTesting(false);
}

/** Channel-level counters: setups (1 + reconnects), channel errors, dropped settlements. */
export function diagnostics(worker: Worker): WorkerDiagnostics {
  return runtimeOf(worker).diagnostics();
}

/** Resolves once the worker has set up its consumer channel `count` times in total (1 = started). */
export function waitForSetups(worker: Worker, count: number): Promise<void> {
  return runtimeOf(worker).waitForSetups(count);
}
