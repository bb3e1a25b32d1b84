/**
 * Starts a checksum worker from the environment: `AMQP_URL`, `WM_NAMESPACE` (read by the SDK),
 * `CHECKSUM_ROOTS` (absolute directories separated by `:`, default `/data`),
 * `CHECKSUM_CONCURRENCY` (default 4). SIGTERM finishes in-flight jobs, then exits.
 */
import { delimiter } from 'node:path';
import { createWorker } from '@org/worker-sdk';
import { checksumWorker, DEFAULT_CHECKSUM_ROOTS } from './checksum.worker';

function concurrencyFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.CHECKSUM_CONCURRENCY;
  if (raw === undefined || raw === '') return 4;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`CHECKSUM_CONCURRENCY must be a positive integer, got "${raw}"`);
  return value;
}

const roots = (process.env.CHECKSUM_ROOTS ?? '')
  .split(delimiter)
  .map((root) => root.trim())
  .filter((root) => root.length > 0);

const worker = createWorker({
  ...checksumWorker({ roots: roots.length > 0 ? roots : DEFAULT_CHECKSUM_ROOTS }),
  concurrency: concurrencyFromEnv(process.env),
});

worker.start().catch((error: unknown) => {
  console.error('checksum failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
