import {
  createTraceState,
  isSpanContextValid,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';

/** The W3C trace context headers a message (or a webhook call) carries. */
export interface TraceHeaders {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

// What the API's global provider delegates to while no SDK registered one (a singleton).
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * True once an OpenTelemetry SDK registered a tracer provider. Libraries here create spans only
 * then: without one, not even the API's no-op spans are allocated on the hot paths. Costs a
 * property read and a comparison, no allocation.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span context a `traceparent` (and `tracestate`) names, if it is valid. */
export function spanContextOf(headers: TraceHeaders): SpanContext | undefined {
  const match = headers.traceparent ? TRACEPARENT.exec(headers.traceparent) : null;
  if (!match) return undefined;
  const spanContext: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: parseInt(match[3]!, 16),
    isRemote: true,
    traceState: headers.tracestate ? createTraceState(headers.tracestate) : undefined,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** A context whose parent is the span the headers name (the root context when they name none). */
export function parentContextOf(headers: TraceHeaders): Context {
  const spanContext = spanContextOf(headers);
  return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

/** The `traceparent` / `tracestate` that make a span the parent of what receives them. */
export function traceHeadersOf(spanContext: SpanContext): {
  traceparent: string;
  tracestate?: string;
} {
  const flags = spanContext.traceFlags.toString(16).padStart(2, '0');
  const state = spanContext.traceState?.serialize();
  return {
    traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`,
    ...(state ? { tracestate: state } : {}),
  };
}
