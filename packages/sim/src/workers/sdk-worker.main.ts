/**
 * A worker built with `@org/worker-sdk`, as a child process of the simulation (scenario 5): its
 * handler waits `SIM_DELAY_MS` and answers SUCCESS. Every job start and end is written to stdout
 * as one JSON line `{"sim":"start"|"done","id","attempt","at"}`, so the simulation can tell
 * whether a job ran again after it completed. It handles SIGTERM as the SDK does by default:
 * take no new jobs, finish those in flight within `SIM_GRACE_MS`, unregister, exit 0.
 *
 * Environment: AMQP_URL, WM_NAMESPACE, SIM_TYPE, SIM_DELAY_MS (default 1500),
 * SIM_CONCURRENCY (default 4), SIM_GRACE_MS (default 10000).
 */
import { createJsonLogger, createWorker } from '@org/worker-sdk';

function emit(sim: 'start' | 'done' | 'ready', fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ sim, at: Date.now(), ...fields })}\n`);
}

const delayMs = Number(process.env['SIM_DELAY_MS'] ?? 1500);
const worker = createWorker({
  type: process.env['SIM_TYPE'] ?? 'sim-sigterm',
  concurrency: Number(process.env['SIM_CONCURRENCY'] ?? 4),
  shutdownGraceMs: Number(process.env['SIM_GRACE_MS'] ?? 10_000),
  heartbeatIntervalMs: 1000,
  // The SDK's own log lines go to stderr: stdout carries only the job lines above.
  logger: createJsonLogger({ worker: 'sim' }, 'info', (line) => void process.stderr.write(line)),
  handler: async (job, ctx) => {
    emit('start', { id: job.requestId, attempt: job.attempt });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    emit('done', { id: job.requestId, attempt: job.attempt });
    return ctx.success({ body: job.body });
  },
});

worker.start().then(
  () => emit('ready', { instanceId: worker.instanceId }),
  (error: unknown) => {
    process.stderr.write(
      `cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
