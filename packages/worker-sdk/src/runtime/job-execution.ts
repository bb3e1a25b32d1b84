import { type ConfirmPublisher } from '@org/amqp-kit';
import { traceHeadersOf, tracingEnabled, type ResponseInput } from '@org/protocol';
import { executeJob, type JobEnvironment } from '../execution/execute-job';
import { endJobSpan, startJobSpan, withSpan } from '../execution/job-span';
import { limitOutput } from '../execution/output-limit';
import { ProgressThrottle } from '../execution/progress-throttle';
import { statusResponse, type Responder } from '../execution/response-for';
import { submissionFor } from '../execution/submit-request';
import { type HandlerResult } from '../handler-result';
import { levelEnabled, type Logger } from '../logger';
import { type ResolvedWorkerOptions } from '../worker-options';
import { signalOf, type HeldJob } from './held-message';
import { type ResponseCoalescer } from './response-coalescer';

/** What running a handler needs from the runtime. */
export interface ExecutionContext<T> {
  readonly options: ResolvedWorkerOptions<T>;
  readonly responder: Responder;
  readonly coalescer: ResponseCoalescer;
  /** For `ctx.submit()`: requests are published alone, confirmed before the handler goes on. */
  readonly publisher: ConfirmPublisher;
  readonly logger: Logger;
}

/**
 * Runs the handler of a job that has just started, with its environment: the signal, progress
 * reports (throttled), `ctx.submit` with derived child ids, and RUNNING once the job has run
 * `runningAfterMs` (never for a job done sooner). Returns the result, an output over the payload
 * limit turned into ERROR; never throws.
 */
export async function executeHeldJob<T>(
  context: ExecutionContext<T>,
  held: HeldJob,
): Promise<HandlerResult> {
  const { options, responder, coalescer, logger } = context;
  const { job } = held;
  // Informational: a lost RUNNING or PROGRESS costs nothing but a detail, so it never fails the job.
  const informational = (response: ResponseInput): Promise<void> =>
    coalescer.send(response, held.held.batch).catch((cause: unknown) => {
      if (levelEnabled(logger, 'debug'))
        logger.debug('informational response not published', { error: cause });
    });
  let runningTimer: NodeJS.Timeout | undefined;
  if (options.reportRunning) {
    const running = () => void informational(statusResponse(responder, job, 'RUNNING'));
    if (options.runningAfterMs === 0) running();
    else runningTimer = setTimeout(running, options.runningAfterMs);
  }
  let throttle: ProgressThrottle | undefined;
  let submits = 0;
  const environment: JobEnvironment = {
    get signal() {
      return signalOf(held);
    },
    logger,
    progress: (percent) => {
      throttle ??= new ProgressThrottle(options.progressThrottleMs, (value) =>
        informational(statusResponse(responder, job, 'PROGRESS', value)),
      );
      return throttle.report(percent);
    },
    submit: async (contentType, payload, submitOptions) => {
      const { requestId, message } = submissionFor(
        options.names,
        job,
        contentType,
        payload,
        submitOptions,
        submits++,
      );
      await context.publisher.publish(message);
      return requestId;
    },
  };
  // Spans only while an OpenTelemetry SDK is registered: otherwise not even a no-op one.
  const span = tracingEnabled() ? startJobSpan(job, responder.workerType) : undefined;
  if (span) held.trace = traceHeadersOf(span.spanContext());
  let result: HandlerResult | undefined;
  try {
    const run = () => executeJob(options, job, held.headers, environment, held.parts);
    result = limitOutput(await (span ? withSpan(job, span, run) : run()), options.maxPayloadBytes);
    return result;
  } finally {
    clearTimeout(runningTimer);
    throttle?.finish();
    if (span) endJobSpan(span, result);
  }
}
