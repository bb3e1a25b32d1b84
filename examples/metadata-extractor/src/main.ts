/**
 * Starts a metadata extractor from the environment: `AMQP_URL`, `WM_NAMESPACE` (read by the SDK),
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (traces, default off),
 * `METADATA_EXTRACTOR_ROOTS` (default `/data`), `METADATA_EXTRACTOR_MAX_JSON_BYTES` (default 64 MiB),
 * `METADATA_EXTRACTOR_CONCURRENCY` (default 4). SIGTERM finishes in-flight jobs, then exits.
 */
import { createWorker } from '@org/worker-sdk';
import { startTracing } from './tracing';
import { configFromEnv } from './config';
import { metadataExtractorWorker } from './metadata-extractor.worker';

function concurrencyFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.METADATA_EXTRACTOR_CONCURRENCY;
  if (raw === undefined || raw === '') return 4;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`METADATA_EXTRACTOR_CONCURRENCY must be a positive integer, got "${raw}"`);
  }
  return value;
}

// Job spans exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/tracing.md).
startTracing('metadata-extractor');

const worker = createWorker({
  ...metadataExtractorWorker({ config: configFromEnv() }),
  concurrency: concurrencyFromEnv(process.env),
});

worker.start().catch((error: unknown) => {
  console.error(
    'metadata-extractor failed to start:',
    error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
