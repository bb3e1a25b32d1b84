import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry for this example worker: OTLP/HTTP export when `OTEL_EXPORTER_OTLP_ENDPOINT` is
 * set (`OTEL_SERVICE_NAME` names it, @default `serviceName`), nothing otherwise. The SDK's job
 * spans (children of the manager's dispatch spans) go to the provider registered here; without
 * one, the SDK creates none. `@org/worker-sdk` itself depends on `@opentelemetry/api` only.
 */
export function startTracing(serviceName: string): { shutdown(): Promise<void> } | undefined {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': process.env.OTEL_SERVICE_NAME || serviceName,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}
