import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { type Scenario, type ScenarioContext } from '../scenario';
import { addCpuFigures } from '../support/cpu-figures';
import { CpuMeter, SERVER_COMPONENTS } from '../support/cpu-meter';
import { Child } from '../support/child-process';
import { nowMs, sleep } from '../support/clock';
import { deleteKeys, redisConnection } from '../support/redis-connection';
import { redisUrl, redisVersion } from '../support/redis';
import { WORKER_SCRIPTS } from '../support/paths';

const ADD_BULK_SIZE = 1000;

/**
 * BullMQ, the peer a Node team would pick instead, on the local Redis: noop jobs added with
 * `addBulk`, one worker process at the same concurrency; then a two-step chain.
 */
export const bullmqScenario: Scenario = {
  name: 'bullmq',
  title: 'BullMQ baselines',
  async run(context) {
    const url = redisUrl();
    if ((await redisVersion(url)) === undefined)
      return { skipped: `no Redis answers at ${url} (set REDIS_URL)` };
    const one = await measure(context, url, false);
    context.results.add({
      id: 'bullmq.throughput',
      scenario: 'bullmq',
      label: 'BullMQ one step',
      value: one.rate,
      unit: 'msg/s',
      note: `n=${context.options.n}, concurrency ${context.options.concurrency}`,
      chart: 'throughput',
    });
    addCpuFigures(
      context.results,
      'bullmq',
      'bullmq',
      'BullMQ one step',
      one.cpuMs,
      context.options.n,
    );
    const chain = await measure(context, url, true);
    context.results.add({
      id: 'bullmq.chain',
      scenario: 'bullmq',
      label: 'BullMQ two-step chain',
      value: chain.rate,
      unit: 'msg/s',
      note: `n=${context.options.n}`,
      chart: 'throughput',
    });
  },
};

/** Jobs per second from the first `addBulk` to the last completion (counted on the last queue). */
async function measure(
  { options, log }: ScenarioContext,
  url: string,
  chained: boolean,
): Promise<{ rate: number; cpuMs: Record<string, number> }> {
  const prefix = `bench_bullmq_${randomBytes(4).toString('hex')}`;
  const connection = redisConnection(url);
  const queue = new Queue('noop', { connection, prefix });
  const last = chained ? new Queue('step2', { connection, prefix }) : queue;
  const worker = await Child.start(WORKER_SCRIPTS.bullmq, {
    logName: chained ? 'bullmq-chain-worker' : 'bullmq-worker',
    env: {
      ...process.env,
      BENCH_REDIS_URL: url,
      BENCH_PREFIX: prefix,
      BENCH_QUEUE: 'noop',
      BENCH_CONCURRENCY: String(options.concurrency),
      ...(chained ? { BENCH_CHAIN_QUEUE: 'step2' } : {}),
    },
  });
  try {
    const run = async (count: number): Promise<number> => {
      const before = await last.getCompletedCount();
      const start = nowMs();
      for (let added = 0; added < count; added += ADD_BULK_SIZE) {
        const size = Math.min(ADD_BULK_SIZE, count - added);
        await queue.addBulk(
          Array.from({ length: size }, (_, index) => ({
            name: 'noop',
            data: { i: added + index },
          })),
        );
      }
      // Completion is polled every 10 ms: cheap next to the work, and at most 10 ms of error per run.
      const deadline = start + 120_000;
      while ((await last.getCompletedCount()) < before + count) {
        if (nowMs() > deadline) throw new Error(`BullMQ: ${count} jobs not completed within 120 s`);
        if (!worker.alive) throw new Error(`BullMQ worker exited (log: ${worker.logFile})`);
        await sleep(10);
      }
      return (count / (nowMs() - start)) * 1000;
    };
    await run(Math.min(500, options.n)); // warm-up: connections, Lua scripts loaded
    const cpu = new CpuMeter({
      requester: { pids: () => [process.pid] },
      worker: { pids: () => [worker.pid] },
      redis: SERVER_COMPONENTS.redis,
    });
    cpu.start();
    const rate = await run(options.n);
    const cpuMs = cpu.stop();
    log(`${chained ? 'chain' : 'one step'}: ${Math.round(rate)} jobs/s`);
    return { rate, cpuMs };
  } finally {
    await worker.stop();
    await queue.close();
    if (last !== queue) await last.close();
    await deleteKeys(url, prefix);
  }
}
