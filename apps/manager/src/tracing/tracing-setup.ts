import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** A running OpenTelemetry tracer provider: flush and stop it before the process exits. */
export interface TracingHandle {
  shutdown(): Promise<void>;
}

/**
 * Wires OpenTelemetry tracing with OTLP/HTTP export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set
 * (the exporter reads it and the other standard `OTEL_EXPORTER_OTLP_*` variables itself;
 * `OTEL_SERVICE_NAME` names the service, @default `serviceName`). Unset: nothing is registered,
 * and the manager and SDK create no spans at all (`tracingEnabled()` is false). Returns
 * undefined then.
 */
export function startTracingFromEnvironment(
  serviceName: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): TracingHandle | undefined {
  if (!env['OTEL_EXPORTER_OTLP_ENDPOINT']) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] || serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Registers the provider, the W3C trace-context propagator and the async context manager.
  provider.register();
  return { shutdown: () => provider.shutdown() };
}
