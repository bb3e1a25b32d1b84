import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { parentContextOf, type DeliveredJob } from '@org/protocol';
import { type HandlerResult } from '../handler-result';

const tracer = trace.getTracer('@org/worker-sdk');

/**
 * The span of one job's execution, child of the manager's dispatch span (the job's
 * `traceparent`). Only called while an OpenTelemetry SDK is registered (`tracingEnabled()`).
 */
export function startJobSpan(job: DeliveredJob, workerType: string): Span {
  return tracer.startSpan(
    `wm.job ${workerType}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'wm.request_id': job.requestId,
        'wm.worker_type': workerType,
        'wm.step': job.step ?? 0,
        'wm.attempt': job.attempt,
      },
    },
    parentContextOf(job),
  );
}

/** Runs `fn` with `span` active, so spans the handler starts are its children. */
export function withSpan<R>(job: DeliveredJob, span: Span, fn: () => R): R {
  return context.with(trace.setSpan(parentContextOf(job), span), fn);
}

/** Ends the span with the handler's outcome. */
export function endJobSpan(span: Span, result: HandlerResult | undefined): void {
  if (result) {
    span.setAttribute('wm.status', result.status);
    if (result.status !== 'SUCCESS') {
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.messages.join('; ') });
    }
  }
  span.end();
}
