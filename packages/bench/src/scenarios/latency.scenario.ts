import { type Scenario, type ScenarioContext } from '../scenario';
import { runPaced } from '../support/load';
import { RawRoundTrip } from '../support/raw-round-trip';
import { percentiles, type Percentiles } from '../support/percentiles';
import { SystemUnderTest, systemUnavailable } from '../support/system-under-test';

const LOADS = [0.25, 0.75] as const;
/** The raw round trip's p99 at the offered rate of the 25% load run. */
const RAW_P99_AT_QUARTER = 'latency.raw-at-25.p99';

/**
 * Latency at a fixed offered rate, 25% and 75% of the measured peak: submit → SUCCESS event, and
 * submit → worker start (the noop worker returns its handler's start time as its output, which
 * the SUCCESS event carries; all processes share one clock).
 */
export const latencyScenario: Scenario = {
  name: 'latency',
  title: 'This system, latency at 25% and 75% of peak',
  async run(context) {
    const unavailable = systemUnavailable();
    if (unavailable) return { skipped: unavailable };
    const { options, results, log } = context;
    const system = await SystemUnderTest.start({
      prefix: 'bench_latency',
      concurrency: options.concurrency,
    });
    let offered = 0;
    try {
      await system.warmUp(Math.min(500, options.n));
      const peak = results.get('system.throughput')?.value ?? (await system.burst(options.n)).rate;
      log(`peak ${Math.round(peak)} req/s`);
      for (const load of LOADS) {
        const rate = peak * load;
        if (load === LOADS[0]) offered = rate;
        system.requester.reset();
        const submitted = await Promise.race([
          runPaced(
            system.requester,
            rate,
            options.latencySeconds,
            () => system.request(),
            120_000,
            `latency at ${load * 100}%`,
          ),
          system.manager.failOnExit(),
        ]);
        const { toSuccess, toStart } = latencies(system);
        log(
          `${load * 100}% (${Math.round(rate)} req/s, ${submitted} requests): submit→SUCCESS p50 ${toSuccess.p50.toFixed(1)} p99 ${toSuccess.p99.toFixed(1)} ms`,
        );
        addPercentiles(context, load, 'success', 'submit → SUCCESS', toSuccess, Math.round(rate));
        addPercentiles(context, load, 'start', 'submit → worker start', toStart, Math.round(rate));
      }
    } finally {
      await system.stop();
    }
    // The raw round trip at the 25% load's offered rate: the floor the system's p99 is judged by.
    if (offered <= 0) return;
    const raw = await RawRoundTrip.start('bench_latency_raw', options.concurrency);
    try {
      const floor = await raw.paced(offered, options.latencySeconds);
      log(`raw at ${Math.round(offered)} msg/s: p99 ${floor.p99.toFixed(1)} ms`);
      results.add({
        id: RAW_P99_AT_QUARTER,
        scenario: 'latency',
        label: `Raw round trip p99 at ${Math.round(offered)} msg/s (the 25% load's rate)`,
        value: floor.p99,
        unit: 'ms',
        note: `${floor.count} samples`,
      });
    } finally {
      await raw.stop();
    }
  },
};

function latencies(system: SystemUnderTest): { toSuccess: Percentiles; toStart: Percentiles } {
  const toSuccess: number[] = [];
  const toStart: number[] = [];
  for (const completion of system.requester.completions) {
    const submitted = system.requester.submittedAt.get(completion.id);
    if (submitted === undefined) continue;
    toSuccess.push(completion.at - submitted);
    const started = Number(completion.message.content.toString());
    if (Number.isFinite(started) && started > 0) toStart.push(started - submitted);
  }
  return { toSuccess: percentiles(toSuccess), toStart: percentiles(toStart) };
}

function addPercentiles(
  { results }: ScenarioContext,
  load: number,
  kind: 'success' | 'start',
  what: string,
  values: Percentiles,
  rate: number,
): void {
  if (values.count === 0) return;
  const loadText = `${load * 100}% load`;
  for (const series of ['p50', 'p95', 'p99'] as const) {
    results.add({
      id: `latency.${load * 100}.${kind}.${series}`,
      scenario: 'latency',
      label: `${what} ${series}, ${loadText}`,
      value: values[series],
      unit: 'ms',
      note: series === 'p50' ? `${rate} req/s offered, ${values.count} samples` : undefined,
      ...(kind === 'success' && series === 'p99' && load === LOADS[0]
        ? { baselineId: RAW_P99_AT_QUARTER, target: { kind: 'ratio-at-most', max: 2 } as const }
        : {}),
      chart: 'latency',
      group: `${loadText} · ${what}`,
      series,
    });
  }
}
