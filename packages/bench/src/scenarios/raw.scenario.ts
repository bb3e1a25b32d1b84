import { type Scenario } from '../scenario';
import { addCpuFigures } from '../support/cpu-figures';
import { CpuMeter, SERVER_COMPONENTS } from '../support/cpu-meter';
import { runBurst } from '../support/load';
import { RawRoundTrip } from '../support/raw-round-trip';

/** Offered rate of the raw latency run: about a quarter of this system's peak here. */
const RAW_LATENCY_RATE = 250;

/**
 * Raw broker round trip, the physical limit of this design on this machine (see
 * {@link RawRoundTrip}): its throughput, CPU per round trip, and latency at a low fixed rate.
 */
export const rawScenario: Scenario = {
  name: 'raw',
  title: 'Raw amqplib round trip',
  async run({ options, results, log }) {
    const raw = await RawRoundTrip.start('bench_raw', options.concurrency);
    try {
      const { requester, build } = raw;
      await runBurst(requester, Math.min(500, options.n), build, 60_000, 'raw warm-up');
      const cpu = new CpuMeter({
        requester: { pids: () => [process.pid] },
        consumer: { pids: () => [raw.consumer.pid] },
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
      const latency = await raw.paced(RAW_LATENCY_RATE, Math.min(3, options.latencySeconds));
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
      await raw.stop();
    }
  },
};
