import { type Scenario } from '../scenario';
import { BENCH } from '../support/bench-config';
import { SystemUnderTest, systemUnavailable } from '../support/system-under-test';

/**
 * A four-step graph workflow through the manager (design 5.4): one step, two in parallel, then a
 * fan-in step whose job carries both outputs as parts. Four jobs per request, as against the
 * two-step workflow's two: the figure shows what fan-out, fan-in and the step rows cost.
 */
export const graphScenario: Scenario = {
  name: 'graph',
  title: 'This system, four-step graph workflow (diamond)',
  async run({ options, results, log }) {
    const unavailable = systemUnavailable();
    if (unavailable) return { skipped: unavailable };
    const system = await SystemUnderTest.start({
      prefix: 'bench_graph',
      concurrency: options.concurrency,
    });
    try {
      await system.warmUp(Math.min(300, options.n), BENCH.diamond);
      const burst = await system.burst(options.n, BENCH.diamond);
      log(`${burst.count} graph requests (4 jobs each) in ${burst.seconds.toFixed(2)} s`);
      results.add({
        id: 'graph.throughput',
        scenario: 'graph',
        label: 'This system, four-step graph workflow (diamond)',
        value: burst.rate,
        unit: 'msg/s',
        baselineId: 'workflow.throughput',
        note: `n=${burst.count}; 4 jobs per request`,
        chart: 'throughput',
      });
    } finally {
      await system.stop();
    }
  },
};
