import { type Scenario } from '../scenario';
import { BENCH } from '../support/bench-config';
import { SystemUnderTest, systemUnavailable } from '../support/system-under-test';
import { INTAKE_BATCH } from './system.scenario';

/** A two-step workflow through the manager (step 1's output is step 2's input), against BullMQ's chain. */
export const workflowScenario: Scenario = {
  name: 'workflow',
  title: 'This system, two-step workflow',
  async run({ options, results, log }) {
    const unavailable = systemUnavailable();
    if (unavailable) return { skipped: unavailable };
    const system = await SystemUnderTest.start({
      prefix: 'bench_workflow',
      concurrency: options.concurrency,
    });
    try {
      await system.warmUp(Math.min(300, options.n), BENCH.workflow);
      const burst = await system.burst(options.n, BENCH.workflow);
      log(`${burst.count} workflows in ${burst.seconds.toFixed(2)} s`);
      results.add({
        id: 'workflow.throughput',
        scenario: 'workflow',
        label: 'This system, two-step workflow',
        value: burst.rate,
        unit: 'msg/s',
        baselineId: 'bullmq.chain',
        note: `n=${burst.count}`,
        chart: 'throughput',
      });
      const batched = await system.batchBurst(options.n, INTAKE_BATCH, BENCH.workflow);
      log(
        `${batched.count} workflows in batches of ${INTAKE_BATCH} in ${batched.seconds.toFixed(2)} s`,
      );
      results.add({
        id: 'workflow-batch.throughput',
        scenario: 'workflow',
        label: `This system, two-step workflow, batch intake (${INTAKE_BATCH} per message)`,
        value: batched.rate,
        unit: 'msg/s',
        baselineId: 'bullmq-durable.chain',
        target: { kind: 'ratio-at-least', min: 1 },
        note: `n=${batched.count}`,
        chart: 'throughput',
      });
    } finally {
      await system.stop();
    }
  },
};
