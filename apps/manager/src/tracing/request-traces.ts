import { Injectable } from '@nestjs/common';
import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type SpanContext,
} from '@opentelemetry/api';
import {
  isTerminalEventState,
  parentContextOf,
  traceHeadersOf,
  tracingEnabled,
  type EventState,
  type TraceHeaders,
} from '@org/protocol';

/** Requests whose latest manager span is remembered; past this the oldest are forgotten. */
const MAX_REMEMBERED = 100_000;

/** What intake's span reads of a recorded row. */
export interface IntakeRow {
  readonly id: string;
  readonly content_type: string;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}

/** What the spans are about: the fields every message of a request has. */
interface Traced extends TraceHeaders {
  readonly requestId: string;
}

/**
 * The manager's spans of a request's life, linked through `traceparent`/`tracestate`:
 *
 * requester → `wm.intake` → `wm.dispatch` (the job's traceparent) → worker `wm.job` (the
 * response's traceparent) → `wm.response` → `wm.dispatch` of the next step → … → `wm.event`
 * (the event's traceparent).
 *
 * The row keeps the requester's traceparent; the latest manager span of each request is
 * remembered here, in this replica, so the next message's span hangs under it. A step dispatched
 * by another replica hangs under the requester's span instead (still the same trace).
 *
 * Every method is a no-op returning its input unless an OpenTelemetry SDK is registered
 * (`tracingEnabled()`): no span, no context, no allocation on the hot paths.
 */
@Injectable()
export class RequestTraces {
  private readonly tracer = trace.getTracer('@org/manager');
  private readonly latest = new Map<string, SpanContext>();

  /**
   * A webhook call about to be made: runs `call` with the trace headers it must send (a client
   * span's context, tracing on; `headers` as they are otherwise) and ends the span with the outcome.
   */
  async webhookCall<R extends { readonly status: number | null; readonly ok: boolean }>(
    headers: TraceHeaders & { readonly requestId: string },
    call: (trace: TraceHeaders) => Promise<R>,
  ): Promise<R> {
    if (!tracingEnabled()) return call(headers);
    const span = this.tracer.startSpan(
      'wm.webhook',
      { kind: SpanKind.CLIENT, attributes: { 'wm.request_id': headers.requestId } },
      parentContextOf(headers),
    );
    try {
      const result = await call(traceHeadersOf(span.spanContext()));
      if (result.status !== null) span.setAttribute('http.response.status_code', result.status);
      if (!result.ok) span.setStatus({ code: SpanStatusCode.ERROR });
      return result;
    } finally {
      span.end();
    }
  }

  /** Requests recorded by intake (REST or AMQP); `rowOf` reads each one's row. */
  intake<T>(requests: readonly T[], rowOf: (request: T) => IntakeRow): void {
    if (!tracingEnabled()) return;
    for (const request of requests) {
      const row = rowOf(request);
      const parent = {
        traceparent: row.traceparent ?? undefined,
        tracestate: row.tracestate ?? undefined,
      };
      this.span('wm.intake', SpanKind.CONSUMER, parent, row.id, {
        'wm.content_type': row.content_type,
      });
    }
  }

  /** A job about to be published: the same job with the dispatch span as its parent. */
  dispatch<J extends Traced & { readonly workerType: string; readonly step?: number }>(job: J): J {
    if (!tracingEnabled()) return job;
    const spanContext = this.span(
      `wm.dispatch ${job.workerType}`,
      SpanKind.PRODUCER,
      this.parentOf(job),
      job.requestId,
      { 'wm.worker_type': job.workerType, 'wm.step': job.step ?? 0 },
    );
    return { ...job, ...traceHeadersOf(spanContext) };
  }

  /** A worker's response, taken from the responses queue. */
  response(response: Traced & { readonly status: string; readonly workerType?: string }): void {
    if (!tracingEnabled()) return;
    this.span(`wm.response ${response.status}`, SpanKind.CONSUMER, response, response.requestId, {
      'wm.status': response.status,
      'wm.worker_type': response.workerType ?? '',
    });
  }

  /** An event about to be sent to the requester: the same event with its span as the parent. */
  event<E extends Traced & { readonly state: EventState }>(event: E): E {
    if (!tracingEnabled()) return event;
    const spanContext = this.span(
      `wm.event ${event.state}`,
      SpanKind.PRODUCER,
      this.parentOf(event),
      event.requestId,
      { 'wm.state': event.state },
    );
    if (isTerminalEventState(event.state)) this.latest.delete(event.requestId);
    return { ...event, ...traceHeadersOf(spanContext) };
  }

  /**
   * The context a message about this request sent now should carry as its parent: the latest
   * manager span of the request (tracing on), else the message's own headers, as they are.
   */
  parentOf(message: Traced): TraceHeaders {
    const latest = this.latest.get(message.requestId);
    return latest ? traceHeadersOf(latest) : message;
  }

  /** Starts and ends a span under `parent`, remembers it as the request's latest; its context. */
  private span(
    name: string,
    kind: SpanKind,
    parent: TraceHeaders,
    requestId: string,
    attributes: Attributes,
  ): SpanContext {
    const span = this.tracer.startSpan(
      name,
      { kind, attributes: { 'wm.request_id': requestId, ...attributes } },
      parentContextOf(parent),
    );
    span.end();
    const spanContext = span.spanContext();
    // What arrives (a request, a response) is what the next message of the request follows.
    if (kind === SpanKind.CONSUMER) this.remember(requestId, spanContext);
    return spanContext;
  }

  private remember(requestId: string, spanContext: SpanContext): void {
    this.latest.delete(requestId);
    this.latest.set(requestId, spanContext);
    if (this.latest.size > MAX_REMEMBERED) {
      const oldest = this.latest.keys().next().value;
      if (oldest !== undefined) this.latest.delete(oldest);
    }
  }
}
