/**
 * `@org/worker-sdk/testing`: run a worker's handler without a broker.
 *
 * ```ts
 * import { runJob } from '@org/worker-sdk/testing';
 * import { moverDefinition } from '../src/mover.worker';
 *
 * it('refuses a move without a target', async () => {
 *   const run = await runJob(moverDefinition, { json: { from: 's3://a/b' } });
 *   expect(run.status).toBe('INVALID_CONTENT');
 *   expect(run.messages).toContain('body.to: must be a string');
 * });
 * ```
 *
 * It also holds hooks into a running worker for broker tests and fault injection
 * (`destroySocket`, `killWorker`, `diagnostics`, `waitForSetups`): not covered by semver.
 */
export {
  runJob,
  type TestJobInput,
  type TestFanInInput,
  type JobRun,
  type SubmittedRequest,
  type LogEntry,
} from './run-job';
export { destroySocket, killWorker, diagnostics, waitForSetups } from './worker-internals';
export { type WorkerDiagnostics } from '../runtime/runtime-diagnostics';
