/**
 * Starts a file mover from the environment:
 * `AMQP_URL`, `WM_NAMESPACE` (read by the SDK), `OTEL_EXPORTER_OTLP_ENDPOINT` (traces, default
 * off), `FILE_MOVER_ROOTS` (default `/data`), `FILE_MOVER_CONCURRENCY` (default 4). SIGTERM drains in-flight moves, then exits.
 */
import { createWorker } from '@org/worker-sdk';
import { startTracing } from './tracing';
import { rootsFromEnv } from './config';
import { fileMoverWorker } from './file-mover.worker';
import { LocalStorage } from './storage/local-storage';

function concurrencyFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.FILE_MOVER_CONCURRENCY;
  if (raw === undefined || raw === '') return 4;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`FILE_MOVER_CONCURRENCY must be a positive integer, got "${raw}"`);
  }
  return value;
}

// Job spans exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/tracing.md).
startTracing('file-mover');

const storage = new LocalStorage({ roots: rootsFromEnv() });
const worker = createWorker({
  ...fileMoverWorker({ storage }),
  concurrency: concurrencyFromEnv(process.env),
});

worker.start().catch((error: unknown) => {
  console.error('file-mover failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
