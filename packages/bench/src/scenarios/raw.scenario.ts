import { randomUUID } from 'node:crypto';
import { createTestNamespace } from '@org/testkit';
import { type Scenario } from '../scenario';
import { addCpuFigures } from '../support/cpu-figures';
import { CpuMeter, SERVER_COMPONENTS } from '../support/cpu-meter';
import { Child } from '../support/child-process';
import { completionQueue } from '../support/completion-queue';
import { runBurst, runPaced } from '../support/load';
import { percentiles } from '../support/percentiles';
import { WORKER_SCRIPTS } from '../support/paths';
import { Requester } from '../support/requester';

/** Offered rate of the raw latency run: about a quarter of this system's peak here. */
const RAW_LATENCY_RATE = 250;

/**
 * Raw broker round trip, the physical limit of this design on this machine: requester → quorum
 * queue → noop consumer (child process, prefetch = concurrency) → quorum reply queue → requester,
 * persistent messages and publisher confirms on both legs.
 */
export const rawScenario: Scenario = {
  name: 'raw',
  title: 'Raw amqplib round trip',
  async run({ options, results, log }) {
    const ns = await createTestNamespace('bench_raw');
    try {
      const workQueue = await completionQueue(ns, 'work');
      const replyQueue = await completionQueue(ns, 'replies');
      const consumer = await Child.start(WORKER_SCRIPTS.raw, {
        logName: 'raw-consumer',
        env: {
          ...process.env,
          BENCH_AMQP_URL: ns.amqpUrl,
          BENCH_WORK_QUEUE: workQueue,
          BENCH_REPLY_QUEUE: replyQueue,
          BENCH_PREFETCH: String(options.concurrency),
        },
      });
      ns.defer(() => consumer.stop());
      const requester = await Requester.open({
        amqpUrl: ns.amqpUrl,
        completionQueue: replyQueue,
        completionId: (message) => message.properties.correlationId as string | undefined,
      });
      ns.defer(() => requester.close());
      const build = () => {
        const id = randomUUID();
        return {
          id,
          message: {
            exchange: '',
            routingKey: workQueue,
            content: Buffer.from('{}'),
            options: { persistent: true, correlationId: id, messageId: id },
          },
        };
      };
      await runBurst(requester, Math.min(500, options.n), build, 60_000, 'raw warm-up');
      const cpu = new CpuMeter({
        requester: { pids: () => [process.pid] },
        consumer: { pids: () => [consumer.pid] },
        rabbitmq: SERVER_COMPONENTS.rabbitmq,
      });
      cpu.start();
      const burst = await runBurst(requester, options.n, build, 120_000, 'raw round trips');
      const cpuMs = cpu.stop();
      log(`${burst.count} round trips in ${burst.seconds.toFixed(2)} s`);
      results.add({
        id: 'raw.throughput',
        scenario: 'raw',
        label: 'Raw amqplib round trip',
        value: burst.rate,
        unit: 'msg/s',
        note: `n=${burst.count}, prefetch ${options.concurrency}`,
        chart: 'throughput',
      });
      addCpuFigures(results, 'raw', 'raw', 'raw amqplib', cpuMs, burst.count);
      // The broker's own latency floor at a low fixed rate, for the system's latency to be read against.
      requester.reset();
      await runPaced(
        requester,
        RAW_LATENCY_RATE,
        Math.min(3, options.latencySeconds),
        build,
        60_000,
        'raw paced',
      );
      const samples = requester.completions.map(
        (done) => done.at - requester.submittedAt.get(done.id)!,
      );
      const latency = percentiles(samples);
      for (const series of ['p50', 'p99'] as const) {
        results.add({
          id: `raw.latency.${series}`,
          scenario: 'raw',
          label: `Raw round trip ${series} at ${RAW_LATENCY_RATE} msg/s`,
          value: latency[series],
          unit: 'ms',
          note: series === 'p50' ? `${latency.count} samples` : undefined,
          chart: 'latency',
          group: `raw amqplib at ${RAW_LATENCY_RATE}/s · round trip`,
          series,
        });
      }
    } finally {
      await ns.cleanup();
    }
  },
};
