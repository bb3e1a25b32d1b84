import { type DeliveredJob, type Part } from '@org/protocol';
import { error, invalid, normalizeResult, success, type HandlerResult } from '../handler-result';
import { InvalidContentError } from '../invalid-content-error';
import { createJob } from '../job';
import { type JobContext, type SubmitOptions } from '../job-context';
import { childLogger, type Logger } from '../logger';
import { validatePayload, type PayloadClass } from '../payload-validation';
import { type WorkerHandler } from '../worker-options';
import { cancelledMessage, JobAbortedError } from './job-aborted-error';

/** What a job needs from its surroundings: the real worker gives the broker, `runJob` gives memory. */
export interface JobEnvironment {
  readonly signal: AbortSignal;
  readonly logger: Logger;
  progress(percent: number): Promise<void>;
  submit(contentType: string, payload: Buffer | object, options?: SubmitOptions): Promise<string>;
}

export interface JobDefinition<T> {
  readonly handler: WorkerHandler<T>;
  readonly payload?: PayloadClass<T> | undefined;
}

/**
 * Runs one job through payload validation and the handler and returns its result; never throws.
 * This is the one code path shared by the worker and the test harness.
 */
export async function executeJob<T>(
  definition: JobDefinition<T>,
  delivered: DeliveredJob,
  headers: Readonly<Record<string, unknown>>,
  environment: JobEnvironment,
  parts?: readonly Part[],
): Promise<HandlerResult> {
  let payload: T = undefined as T;
  if (definition.payload && parts) {
    return invalid(
      "a fan-in job's body is its parents' outputs as parts (job.inputs), which a payload class cannot describe: remove `payload` from this worker and validate each input",
    );
  }
  if (definition.payload) {
    const checked = await validatePayload(
      definition.payload as PayloadClass<T & object>,
      delivered.body,
    );
    if (!checked.ok) return invalid(checked.messages);
    payload = checked.value;
  }
  const job = createJob(delivered, payload, headers, parts);
  let log: Logger | undefined;
  const ctx: JobContext = {
    // Read through: the worker makes a job's AbortController only when someone asks for its signal.
    get signal() {
      return environment.signal;
    },
    // Built on first use: most handlers of a busy worker never log.
    get log() {
      log ??= childLogger(environment.logger, {
        requestId: delivered.requestId,
        attempt: delivered.attempt,
      });
      return log;
    },
    success,
    invalid,
    error,
    progress: (percent) => environment.progress(percent),
    submit: (contentType, body, options) => environment.submit(contentType, body, options),
  };
  try {
    return normalizeResult(await definition.handler(job, ctx));
  } catch (thrown) {
    if (thrown instanceof InvalidContentError) return invalid(thrown.reasons);
    const reason: unknown = environment.signal.aborted ? environment.signal.reason : undefined;
    if (reason instanceof JobAbortedError && reason.kind === 'cancel')
      return error(cancelledMessage(reason.detail));
    return error(
      thrown instanceof Error ? thrown.message || thrown.name : `handler threw ${String(thrown)}`,
    );
  }
}
