import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  assertTopology,
  buildJob,
  HEADERS,
  jobMessageId,
  routingWord,
  workerTopology,
} from '@org/protocol';
import { createTestNamespace } from '@org/testkit';
import { type Scenario } from '../scenario';
import { BENCH } from '../support/bench-config';
import { Child } from '../support/child-process';
import { addCpuFigures } from '../support/cpu-figures';
import { CpuMeter, SERVER_COMPONENTS } from '../support/cpu-meter';
import { completionQueue } from '../support/completion-queue';
import { runBurst } from '../support/load';
import { WORKER_SCRIPTS } from '../support/paths';
import { Requester } from '../support/requester';

/**
 * The SDK alone against the raw consumer: jobs built with the protocol's `buildJob` go straight to
 * the worker queue, a noop `@org/worker-sdk` worker process answers, and the requester counts the
 * SUCCESS responses on a quorum queue bound to `<ns>.responses`. No manager, no database: this is
 * what the SDK costs over plain amqplib.
 */
export const sdkScenario: Scenario = {
  name: 'sdk',
  title: 'SDK alone vs the raw consumer',
  async run({ options, results, log }) {
    if (!existsSync(WORKER_SCRIPTS.sdk))
      return {
        skipped: 'the SDK worker of the bench is not built (packages/worker-sdk not ready)',
      };
    const ns = await createTestNamespace('bench_sdk');
    try {
      ns.workerTypes.add(BENCH.noopType);
      await assertTopology(ns.channel, workerTopology(ns.names, BENCH.noopType));
      const responses = await completionQueue(ns, 'responses', {
        exchange: ns.names.exchanges.responses,
        pattern: `${routingWord('SUCCESS')}.#`,
      });
      const requester = await Requester.open({
        amqpUrl: ns.amqpUrl,
        completionQueue: responses,
        completionId: (message) =>
          message.properties.headers?.[HEADERS.requestId] as string | undefined,
      });
      ns.defer(() => requester.close());
      const build = () => {
        const id = randomUUID();
        const message = buildJob(ns.names, {
          requestId: id,
          attempt: 1,
          workerType: BENCH.noopType,
          contentType: BENCH.noopContentType,
          step: 0,
          messageId: jobMessageId(id, 1),
          body: Buffer.from('{}'),
        });
        return { id, message };
      };
      // The default worker (lean RUNNING: a noop job ends long before runningAfterMs, so it
      // sends none), then the same with a RUNNING for every job, as v1 did: the difference is
      // what that informational publish costs.
      for (const leanRunning of [true, false]) {
        const worker = await Child.start(WORKER_SCRIPTS.sdk, {
          logName: leanRunning ? 'sdk-worker' : 'sdk-worker-running-always',
          env: {
            ...ns.env(),
            BENCH_WORKER_TYPES: BENCH.noopType,
            BENCH_CONCURRENCY: String(options.concurrency),
            ...(leanRunning ? {} : { BENCH_RUNNING_AFTER_MS: '0' }),
          },
        });
        try {
          await runBurst(requester, Math.min(500, options.n), build, 60_000, 'SDK warm-up');
          const cpu = new CpuMeter({
            requester: { pids: () => [process.pid] },
            worker: { pids: () => [worker.pid] },
            rabbitmq: SERVER_COMPONENTS.rabbitmq,
          });
          cpu.start();
          const burst = await runBurst(requester, options.n, build, 120_000, 'SDK jobs');
          const cpuMs = cpu.stop();
          log(
            `${leanRunning ? 'lean RUNNING' : 'RUNNING always'}: ${burst.count} jobs in ${burst.seconds.toFixed(2)} s`,
          );
          results.add({
            id: leanRunning ? 'sdk.throughput' : 'sdk.running-always',
            scenario: 'sdk',
            label: leanRunning
              ? 'SDK worker alone'
              : 'SDK worker alone, a RUNNING per job (runningAfterMs: 0)',
            value: burst.rate,
            unit: 'msg/s',
            baselineId: 'raw.throughput',
            ...(leanRunning ? { target: { kind: 'ratio-at-least', min: 0.8 } as const } : {}),
            note: `n=${burst.count}, concurrency ${options.concurrency}`,
            chart: 'throughput',
          });
          // CPU per job moves far less than throughput when other work shares the machine.
          addCpuFigures(
            results,
            'sdk',
            leanRunning ? 'sdk' : 'sdk.running-always',
            leanRunning ? 'SDK alone' : 'SDK alone, a RUNNING per job',
            cpuMs,
            burst.count,
          );
        } finally {
          await worker.stop();
        }
      }
    } finally {
      await ns.cleanup();
    }
  },
};
