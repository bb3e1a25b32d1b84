import { type Scenario } from '../scenario';
import { addCpuFigures } from '../support/cpu-figures';
import { CpuMeter, SERVER_COMPONENTS } from '../support/cpu-meter';
import { SystemUnderTest, systemUnavailable } from '../support/system-under-test';

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
        target: { kind: 'ratio-at-least', min: 1 },
        note: `n=${burst.count}, concurrency ${options.concurrency}`,
        chart: 'throughput',
      });
      results.add({
        id: 'system.vs-raw',
        scenario: 'system',
        label: 'This system, one step, vs raw',
        value: burst.rate,
        unit: 'msg/s',
        baselineId: 'raw.throughput',
        note: 'how much of the broker limit is left',
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
    } finally {
      await system.stop();
    }
  },
};
