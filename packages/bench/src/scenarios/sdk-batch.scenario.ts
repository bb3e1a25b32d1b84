import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  assertTopology,
  buildJobBatch,
  HEADERS,
  isBatch,
  jobMessageId,
  parseResponseBatch,
  workerTopology,
  type JobInput,
} from '@org/protocol';
import { createTestNamespace } from '@org/testkit';
import { type ConsumeMessage } from 'amqplib';
import { type Scenario } from '../scenario';
import { BENCH } from '../support/bench-config';
import { Child } from '../support/child-process';
import { completionQueue } from '../support/completion-queue';
import { addCpuFigures } from '../support/cpu-figures';
import { CpuMeter, SERVER_COMPONENTS } from '../support/cpu-meter';
import { runBatchBurst } from '../support/load';
import { WORKER_SCRIPTS } from '../support/paths';
import { Requester } from '../support/requester';

/** Jobs per batch message: the SDK's default `batch`, what a v2 manager sends a busy type. */
const JOBS_PER_BATCH = 100;

/**
 * The SDK alone with batch frames (design 5.2), beside the single-message "SDK alone": job
 * batches of 100 built with the protocol's `buildJobBatch` go straight to the worker queue, the
 * same noop `@org/worker-sdk` worker (default options: batch 100, lean RUNNING) answers in
 * response batches, and the requester counts each item of them on a quorum queue bound to
 * `<ns>.responses`. No manager, no database: what batching buys on the broker's hops.
 */
export const sdkBatchScenario: Scenario = {
  name: 'sdk-batch',
  title: 'SDK alone with batches vs the raw consumer',
  async run({ options, results, log }) {
    if (!existsSync(WORKER_SCRIPTS.sdk))
      return {
        skipped: 'the SDK worker of the bench is not built (packages/worker-sdk not ready)',
      };
    const ns = await createTestNamespace('bench_sdkb');
    try {
      ns.workerTypes.add(BENCH.noopType);
      await assertTopology(ns.channel, workerTopology(ns.names, BENCH.noopType));
      const responses = await completionQueue(ns, 'responses', {
        exchange: ns.names.exchanges.responses,
        pattern: '#',
      });
      const requester = await Requester.open({
        amqpUrl: ns.amqpUrl,
        completionQueue: responses,
        completionId: answeredIds,
      });
      ns.defer(() => requester.close());
      const build = (indexes: readonly number[]) => {
        const jobs: JobInput[] = indexes.map(() => {
          const id = randomUUID();
          return {
            requestId: id,
            attempt: 1,
            workerType: BENCH.noopType,
            contentType: BENCH.noopContentType,
            step: 0,
            messageId: jobMessageId(id, 1),
            body: Buffer.from('{}'),
          };
        });
        return { ids: jobs.map((job) => job.requestId), message: buildJobBatch(ns.names, jobs) };
      };
      const worker = await Child.start(WORKER_SCRIPTS.sdk, {
        logName: 'sdk-batch-worker',
        env: {
          ...ns.env(),
          BENCH_WORKER_TYPES: BENCH.noopType,
          BENCH_CONCURRENCY: String(options.concurrency),
          BENCH_BATCH: String(JOBS_PER_BATCH),
        },
      });
      try {
        const warmUp = Math.min(500, options.n);
        await runBatchBurst(requester, warmUp, JOBS_PER_BATCH, build, 60_000, 'SDK batch warm-up');
        const cpu = new CpuMeter({
          requester: { pids: () => [process.pid] },
          worker: { pids: () => [worker.pid] },
          rabbitmq: SERVER_COMPONENTS.rabbitmq,
        });
        cpu.start();
        const burst = await runBatchBurst(
          requester,
          options.n,
          JOBS_PER_BATCH,
          build,
          120_000,
          'SDK batch jobs',
        );
        const cpuMs = cpu.stop();
        log(`${burst.count} jobs in batches of ${JOBS_PER_BATCH} in ${burst.seconds.toFixed(2)} s`);
        results.add({
          id: 'sdk-batch.throughput',
          scenario: 'sdk-batch',
          label: `SDK worker alone, job batches of ${JOBS_PER_BATCH}`,
          value: burst.rate,
          unit: 'msg/s',
          baselineId: 'raw.throughput',
          target: { kind: 'ratio-at-least', min: 1.5 },
          note: `n=${burst.count}, concurrency ${options.concurrency}`,
          chart: 'throughput',
        });
        addCpuFigures(
          results,
          'sdk-batch',
          'sdk-batch',
          'SDK alone with batches',
          cpuMs,
          burst.count,
        );
      } finally {
        await worker.stop();
      }
    } finally {
      await ns.cleanup();
    }
  },
};

/** The request ids a response message answers with SUCCESS: one, or every item of a batch. */
function answeredIds(message: ConsumeMessage): string | readonly string[] | undefined {
  if (!isBatch(message)) {
    const headers = message.properties.headers;
    return headers?.[HEADERS.status] === 'SUCCESS'
      ? (headers[HEADERS.requestId] as string)
      : undefined;
  }
  const batch = parseResponseBatch(message);
  if (!batch.ok) throw batch.error;
  return batch.value.flatMap((item) =>
    item.parsed.ok && item.parsed.value.status === 'SUCCESS' ? [item.parsed.value.requestId] : [],
  );
}
