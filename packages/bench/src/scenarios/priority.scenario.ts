import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { buildRequest, MAX_PRIORITY, WINDOW_PER_CONCURRENCY } from '@org/protocol';
import { type Scenario } from '../scenario';
import { BENCH } from '../support/bench-config';
import { nowMs } from '../support/clock';
import { SystemUnderTest, systemUnavailable } from '../support/system-under-test';
import { waitUntilWaiting } from '../support/waiting-requests';

/** High-priority requests submitted behind the backlog: enough to span more than one window. */
const HIGH_COUNT = 100;
const LOW_PRIORITY = 0;
const HIGH_PRIORITY = MAX_PRIORITY;

/**
 * Priority under backlog: `priorityBacklog` requests at priority 0 recorded while no worker is
 * alive (NO_WORKER_AVAILABLE), then 100 at priority 9, then one worker starts and drains them
 * all. Counts, in the order the SUCCESS events arrive, the low-priority requests that finished
 * before the last high-priority one, and the drain rate with priorities in play.
 */
export const priorityScenario: Scenario = {
  name: 'priority',
  title: 'This system, priority under backlog',
  async run({ options, results, log }) {
    const unavailable = systemUnavailable();
    if (unavailable) return { skipped: unavailable };
    const system = await SystemUnderTest.start({
      prefix: 'bench_priority',
      concurrency: options.concurrency,
      withWorker: false,
    });
    const db = new Client({ connectionString: system.ns.databaseUrl });
    await db.connect();
    try {
      const lowCount = options.priorityBacklog;
      const total = lowCount + HIGH_COUNT;
      const publish = async (priority: number): Promise<string> => {
        const id = randomUUID();
        const message = buildRequest(system.ns.names, {
          requestId: id,
          contentType: BENCH.noopContentType,
          body: Buffer.from('{}'),
          priority,
        });
        await system.requester.publish(id, message);
        return id;
      };
      for (let index = 0; index < lowCount; index++) await publish(LOW_PRIORITY);
      // The high-priority requests arrive once the whole backlog waits in the table, so they are
      // the newest rows: only the dispatch order can put them first.
      await Promise.race([
        waitUntilWaiting(db, system.ns.name, lowCount, 600_000),
        system.manager.failOnExit(),
      ]);
      const high = new Set<string>();
      for (let index = 0; index < HIGH_COUNT; index++) high.add(await publish(HIGH_PRIORITY));
      await Promise.race([
        waitUntilWaiting(db, system.ns.name, total, 600_000),
        system.manager.failOnExit(),
      ]);
      log(
        `${lowCount} at priority ${LOW_PRIORITY} then ${HIGH_COUNT} at ${HIGH_PRIORITY} waiting; starting a worker`,
      );
      system.requester.reset();
      await system.startWorker();
      const drainStart = nowMs();
      await Promise.race([
        system.requester.waitForCompletions(total, 900_000, 'priority drain'),
        system.manager.failOnExit(),
      ]);
      const completions = system.requester.completions;
      const drainSeconds = (completions[total - 1]!.at - drainStart) / 1000;
      const lastHigh = completions.findLastIndex((completion) => high.has(completion.id));
      // Every completion before the last high-priority one that is not high-priority is low.
      const lowBefore = lastHigh + 1 - HIGH_COUNT;
      // The window (design 5.1) is what the manager may have out at once. Jobs already out when
      // the high-priority requests are recorded cannot be recalled: on a live backlog a full
      // window of low-priority jobs is unavoidable. Here nothing was out (no worker alive), but
      // the window refilled as the last high-priority jobs go out also carries low-priority ones,
      // which run beside them and may finish first. Hence two windows: anything beyond means the
      // backlog was not taken in priority order. The window counted is the floor (2 ×
      // concurrency): the worker has just started, so no answers have widened it yet when the
      // high-priority jobs go out.
      const window = WINDOW_PER_CONCURRENCY * options.concurrency;
      const share = (lowBefore / lowCount) * 100;
      log(
        `drained in ${drainSeconds.toFixed(1)} s; ${lowBefore} low-priority finished before the last high-priority (window ${window})`,
      );
      results.add({
        id: 'priority.low-before-high',
        scenario: 'priority',
        label: `Priority under backlog: low-priority finished before the last high-priority (of ${lowCount.toLocaleString('en-US')})`,
        value: lowBefore,
        unit: 'rows',
        // Results judge values strictly below; the target is at most two windows.
        target: { kind: 'value-below', max: 2 * window + 1 },
        note: `${share.toFixed(2)}% of the backlog; ${HIGH_COUNT} at priority ${HIGH_PRIORITY}, window ${window}`,
      });
      results.add({
        id: 'priority.drain-rate',
        scenario: 'priority',
        label: 'Priority backlog drain rate',
        value: total / drainSeconds,
        unit: 'msg/s',
        baselineId: 'backlog.drain-rate',
        note: `${total.toLocaleString('en-US')} requests in ${drainSeconds.toFixed(1)} s, from worker ready`,
      });
    } finally {
      await db.end().catch(() => undefined);
      await system.stop();
    }
  },
};
