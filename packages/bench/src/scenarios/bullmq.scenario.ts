import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { type Scenario, type ScenarioContext } from '../scenario';
import { addCpuFigures } from '../support/cpu-figures';
import { CpuMeter, SERVER_COMPONENTS, type CpuComponent } from '../support/cpu-meter';
import { Child } from '../support/child-process';
import { nowMs, sleep } from '../support/clock';
import { DurableRedis } from '../support/durable-redis';
import { deleteKeys, redisConnection } from '../support/redis-connection';
import { redisUrl, redisVersion } from '../support/redis';
import { WORKER_SCRIPTS } from '../support/paths';

const ADD_BULK_SIZE = 1000;
/** `add` calls awaiting Redis at once: as many as the requesters of the other scenarios keep unconfirmed. */
const ADDS_IN_FLIGHT = 500;

/** How jobs go in: `addBulk` of 1,000, one `add` per job, or `addBulk` with a chained second step. */
type Mode = 'bulk' | 'add' | 'chain';

/**
 * BullMQ, the peer a Node team would pick instead: noop jobs, one worker process at the same
 * concurrency. First on the local Redis (`REDIS_URL`, as configured: usually no persistence),
 * then on a second Redis the bench starts with `appendonly yes, appendfsync always` (the durable
 * baseline the targets are set against): `addBulk`, one `add` per job, and a two-step chain.
 */
export const bullmqScenario: Scenario = {
  name: 'bullmq',
  title: 'BullMQ baselines',
  async run(context) {
    const url = redisUrl();
    if ((await redisVersion(url)) === undefined)
      return { skipped: `no Redis answers at ${url} (set REDIS_URL)` };
    const { options, results } = context;
    const note = `n=${options.n}, concurrency ${options.concurrency}`;
    const one = await measure(context, url, 'bulk', SERVER_COMPONENTS.redis);
    results.add({
      id: 'bullmq.throughput',
      scenario: 'bullmq',
      label: 'BullMQ one step',
      value: one.rate,
      unit: 'msg/s',
      note,
      chart: 'throughput',
    });
    addCpuFigures(results, 'bullmq', 'bullmq', 'BullMQ one step', one.cpuMs, options.n);
    const chain = await measure(context, url, 'chain', SERVER_COMPONENTS.redis);
    results.add({
      id: 'bullmq.chain',
      scenario: 'bullmq',
      label: 'BullMQ two-step chain',
      value: chain.rate,
      unit: 'msg/s',
      note: `n=${options.n}`,
      chart: 'throughput',
    });

    const durable = await DurableRedis.start();
    if (!durable) {
      context.log('no redis-server to start: the durable BullMQ baseline is skipped');
      return;
    }
    try {
      const server: CpuComponent = { pids: () => [durable.pid] };
      const durableNote = `${note}, appendfsync always`;
      const bulk = await measure(context, durable.url, 'bulk', server);
      results.add({
        id: 'bullmq-durable.throughput',
        scenario: 'bullmq',
        label: 'Durable BullMQ one step, addBulk',
        value: bulk.rate,
        unit: 'msg/s',
        note: durableNote,
        chart: 'throughput',
      });
      addCpuFigures(
        results,
        'bullmq',
        'bullmq-durable',
        'durable BullMQ one step, addBulk',
        bulk.cpuMs,
        options.n,
      );
      const single = await measure(context, durable.url, 'add', server);
      results.add({
        id: 'bullmq-durable.add',
        scenario: 'bullmq',
        label: 'Durable BullMQ one step, one add per job',
        value: single.rate,
        unit: 'msg/s',
        note: `${durableNote}, ${ADDS_IN_FLIGHT} adds in flight`,
        chart: 'throughput',
      });
      const durableChain = await measure(context, durable.url, 'chain', server);
      results.add({
        id: 'bullmq-durable.chain',
        scenario: 'bullmq',
        label: 'Durable BullMQ two-step chain',
        value: durableChain.rate,
        unit: 'msg/s',
        note: durableNote,
        chart: 'throughput',
      });
    } finally {
      await durable.stop();
    }
  },
};

/** Jobs per second from the first add to the last completion (counted on the last queue). */
async function measure(
  { options, log }: ScenarioContext,
  url: string,
  mode: Mode,
  redis: CpuComponent,
): Promise<{ rate: number; cpuMs: Record<string, number> }> {
  const prefix = `bench_bullmq_${randomBytes(4).toString('hex')}`;
  const connection = redisConnection(url);
  const chained = mode === 'chain';
  const queue = new Queue('noop', { connection, prefix });
  const last = chained ? new Queue('step2', { connection, prefix }) : queue;
  const worker = await Child.start(WORKER_SCRIPTS.bullmq, {
    logName: `bullmq-${mode}-worker`,
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
      if (mode === 'add') await addOneByOne(queue, count);
      else await addInBulk(queue, count);
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
      redis,
    });
    cpu.start();
    const rate = await run(options.n);
    const cpuMs = cpu.stop();
    log(`${mode}${url === redisUrl() ? '' : ' (durable)'}: ${Math.round(rate)} jobs/s`);
    return { rate, cpuMs };
  } finally {
    await worker.stop();
    await queue.close();
    if (last !== queue) await last.close();
    await deleteKeys(url, prefix);
  }
}

async function addInBulk(queue: Queue, count: number): Promise<void> {
  for (let added = 0; added < count; added += ADD_BULK_SIZE) {
    const size = Math.min(ADD_BULK_SIZE, count - added);
    await queue.addBulk(
      Array.from({ length: size }, (_, index) => ({ name: 'noop', data: { i: added + index } })),
    );
  }
}

/** One `add` per job, at most {@link ADDS_IN_FLIGHT} awaiting Redis: a producer sending one at a time. */
async function addOneByOne(queue: Queue, count: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      await queue.add('noop', { i });
    }
  };
  await Promise.all(Array.from({ length: Math.min(ADDS_IN_FLIGHT, count) }, lane));
}
