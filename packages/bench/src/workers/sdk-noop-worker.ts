/**
 * The bench's noop SDK worker process: one `createWorker` per type in `BENCH_WORKER_TYPES`, each at
 * `BENCH_CONCURRENCY` (and `BENCH_RUNNING_AFTER_MS`, `BENCH_BATCH` when set; the SDK's defaults
 * otherwise). The handler does nothing but answer SUCCESS with its own start time as the output,
 * which the latency scenario reads back from the SUCCESS event (submit → worker start).
 */
import { createWorker } from '@org/worker-sdk';
import { nowMs } from '../support/clock';
import { requiredEnv, runChild } from './child-main';

runChild(async () => {
  const concurrency = Number(requiredEnv('BENCH_CONCURRENCY'));
  const workers = requiredEnv('BENCH_WORKER_TYPES')
    .split(',')
    .map((type) =>
      createWorker({
        type,
        concurrency,
        amqpUrl: requiredEnv('AMQP_URL'),
        namespace: requiredEnv('WM_NAMESPACE'),
        handleSignals: false,
        ...optionalInt('runningAfterMs', process.env['BENCH_RUNNING_AFTER_MS']),
        ...optionalInt('batch', process.env['BENCH_BATCH']),
        handler: (_job, ctx) => ctx.success({ body: Buffer.from(String(nowMs())) }),
      }),
    );
  await Promise.all(workers.map((worker) => worker.start()));
  return async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
  };
});

function optionalInt(option: string, raw: string | undefined): Record<string, number> {
  return raw === undefined || raw === '' ? {} : { [option]: Number(raw) };
}
