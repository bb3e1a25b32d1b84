/**
 * Starts a feature assembler from the environment: `AMQP_URL`, `WM_NAMESPACE` (read by the SDK),
 * `FEATURE_ASSEMBLER_CONCURRENCY` (default 4). SIGTERM finishes in-flight jobs, then exits.
 */
import { createWorker } from '@org/worker-sdk';
import { featureAssemblerWorker } from './feature-assembler.worker';

function concurrencyFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.FEATURE_ASSEMBLER_CONCURRENCY;
  if (raw === undefined || raw === '') return 4;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`FEATURE_ASSEMBLER_CONCURRENCY must be a positive integer, got "${raw}"`);
  return value;
}

const worker = createWorker({
  ...featureAssemblerWorker(),
  concurrency: concurrencyFromEnv(process.env),
});

worker.start().catch((error: unknown) => {
  console.error(
    'feature-assembler failed to start:',
    error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
