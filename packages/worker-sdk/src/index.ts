/**
 * `@org/worker-sdk`: write a worker for the worker manager without thinking about AMQP.
 *
 * ```ts
 * import { IsString } from 'class-validator';
 * import { createWorker, defineWorker } from '@org/worker-sdk';
 *
 * class MoveJob {
 *   @IsString() from!: string;
 *   @IsString() to!: string;
 * }
 *
 * export const mover = defineWorker({
 *   type: 'file-mover',
 *   payload: MoveJob, // invalid JSON payloads are answered INVALID_CONTENT before the handler runs
 *   concurrency: 4,
 *   handler: async (job, ctx) => {
 *     await moveFile(job.payload.from, job.payload.to, { signal: ctx.signal });
 *     await ctx.progress(100);
 *     return ctx.success({ contentType: 'product/stored', json: { location: job.payload.to } });
 *   },
 * });
 *
 * await createWorker(mover).start(); // SIGTERM: stop taking jobs, finish in-flight, unregister, exit 0
 * ```
 */
import 'reflect-metadata';

export { createWorker } from './create-worker';
export { defineWorker } from './define-worker';
export { type Worker, type WorkerState, type WorkerStats } from './worker';
export {
  DEFAULT_AMQP_URL,
  DEFAULT_BATCH,
  type WorkerOptions,
  type WorkerHandler,
  type DeclareQueueMode,
} from './worker-options';
export { type Job, type FanInInput } from './job';
export { WorkerStartError, type WorkerStartFailure } from './worker-start-error';
export { CANCELLED_JOBS_MAX_ENTRIES, CANCELLED_JOBS_TTL_MS } from './runtime/cancelled-jobs';
export { DEADLINE_PASSED_MESSAGE } from './execution/start-check';
export { type JobContext, type SubmitOptions } from './job-context';
export {
  type HandlerResult,
  type SuccessResult,
  type ErrorResult,
  type InvalidContentResult,
  type SuccessOutput,
  type ErrorOptions,
} from './handler-result';
export { InvalidContentError } from './invalid-content-error';
export { JobAbortedError, type AbortKind } from './execution/job-aborted-error';
export { type PayloadClass } from './payload-validation';
export { createJsonLogger, type Logger, type LogLevel, type LogFields } from './logger';
