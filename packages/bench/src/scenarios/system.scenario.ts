import { type Scenario } from '../scenario';
import { addCpuFigures } from '../support/cpu-figures';
import { CpuMeter, SERVER_COMPONENTS } from '../support/cpu-meter';
import { SystemUnderTest, systemUnavailable } from '../support/system-under-test';

/** Requests per message in the batch-intake runs: what a requester with many to send would use. */
export const INTAKE_BATCH = 100;

/**
 * This system end to end, one-step requests: requester → `<ns>.requests` → manager (every request
 * recorded in PostgreSQL) → noop SDK worker → manager → SUCCESS event. Compared with BullMQ's
 * one-step figure; its own figure is the steady rate the backlog and growth runs are judged by.
 */
export const systemScenario: Scenario = {
  name: 'system',
  title: 'This system, one-step requests',
  async run({ options, results, log }) {
    const unavailable = systemUnavailable();
    if (unavailable) return { skipped: unavailable };
    const system = await SystemUnderTest.start({
      prefix: 'bench_system',
      concurrency: options.concurrency,
    });
    try {
      await system.warmUp(Math.min(500, options.n));
      const cpu = new CpuMeter({
        requester: { pids: () => [process.pid] },
        manager: { pids: () => [system.manager.pid] },
        worker: { pids: () => system.workers.map((worker) => worker.pid) },
        rabbitmq: SERVER_COMPONENTS.rabbitmq,
        postgresql: SERVER_COMPONENTS.postgresql,
      });
      cpu.start();
      const burst = await system.burst(options.n);
      const cpuMs = cpu.stop();
      log(`${burst.count} requests in ${burst.seconds.toFixed(2)} s`);
      results.add({
        id: 'system.throughput',
        scenario: 'system',
        label: 'This system, one step',
        value: burst.rate,
        unit: 'msg/s',
        baselineId: 'bullmq.throughput',
        note: `n=${burst.count}, concurrency ${options.concurrency}, one message per request`,
        chart: 'throughput',
      });
      results.add({
        id: 'system.vs-raw',
        scenario: 'system',
        label: 'This system, one message per request, vs raw',
        value: burst.rate,
        unit: 'msg/s',
        baselineId: 'raw.throughput',
        target: { kind: 'ratio-at-least', min: 0.8 },
        note: 'how much of the broker limit is left',
        chart: 'throughput',
      });
      results.add({
        id: 'system.vs-add',
        scenario: 'system',
        label: 'This system, one message per request, vs BullMQ add',
        value: burst.rate,
        unit: 'msg/s',
        baselineId: 'bullmq-durable.add',
        chart: 'throughput',
      });
      results.add({
        id: 'system.manager-rss',
        scenario: 'system',
        label: 'Manager peak RSS, one-step run',
        value: system.manager.peakRssMb,
        unit: 'MB',
        target: { kind: 'value-below', max: 300 },
      });
      addCpuFigures(results, 'system', 'system', 'this system, one step', cpuMs, burst.count);

      // The same system with batch intake (request batches of 100), against BullMQ's addBulk.
      await system.batchBurst(Math.min(1000, options.n), INTAKE_BATCH);
      const batchCpu = new CpuMeter({
        requester: { pids: () => [process.pid] },
        manager: { pids: () => [system.manager.pid] },
        worker: { pids: () => system.workers.map((worker) => worker.pid) },
        rabbitmq: SERVER_COMPONENTS.rabbitmq,
        postgresql: SERVER_COMPONENTS.postgresql,
      });
      batchCpu.start();
      const batched = await system.batchBurst(options.n, INTAKE_BATCH);
      const batchCpuMs = batchCpu.stop();
      log(
        `${batched.count} requests in batches of ${INTAKE_BATCH} in ${batched.seconds.toFixed(2)} s`,
      );
      results.add({
        id: 'system-batch.throughput',
        scenario: 'system',
        label: `This system, one step, batch intake (${INTAKE_BATCH} per message)`,
        value: batched.rate,
        unit: 'msg/s',
        baselineId: 'bullmq-durable.throughput',
        target: { kind: 'ratio-at-least', min: 1 },
        note: `n=${batched.count}, concurrency ${options.concurrency}`,
        chart: 'throughput',
      });
      addCpuFigures(
        results,
        'system',
        'system-batch',
        'this system, one step, batch intake',
        batchCpuMs,
        batched.count,
        { baselineId: 'bullmq-durable.cpu', target: { kind: 'ratio-at-most', max: 1 } },
      );
    } finally {
      await system.stop();
    }
  },
};
