import { Client } from 'pg';
import { type Scenario } from '../scenario';
import { nowMs } from '../support/clock';
import { SystemUnderTest, systemUnavailable } from '../support/system-under-test';
import { waitUntilWaiting } from '../support/waiting-requests';

/**
 * Backlog: requests submitted while no worker is alive (all recorded as NO_WORKER_AVAILABLE), then
 * a worker starts. Drain time and rate (against the steady one-step rate), and the manager's peak
 * RSS through intake and drain (VmHWM of the manager process).
 */
export const backlogScenario: Scenario = {
  name: 'backlog',
  title: 'This system, backlog drain',
  async run({ options, results, log }) {
    const unavailable = systemUnavailable();
    if (unavailable) return { skipped: unavailable };
    const system = await SystemUnderTest.start({
      prefix: 'bench_backlog',
      concurrency: options.concurrency,
      withWorker: false,
    });
    const db = new Client({ connectionString: system.ns.databaseUrl });
    await db.connect();
    try {
      const count = options.backlog;
      const intakeStart = nowMs();
      for (let index = 0; index < count; index++) {
        const { id, message } = system.request();
        await system.requester.publish(id, message);
      }
      log(
        `${count} requests published in ${((nowMs() - intakeStart) / 1000).toFixed(1)} s; waiting until all are recorded`,
      );
      await Promise.race([
        waitUntilWaiting(db, system.ns.name, count, 600_000),
        system.manager.failOnExit(),
      ]);
      const intakeSeconds = (nowMs() - intakeStart) / 1000;
      log(`${count} NO_WORKER_AVAILABLE after ${intakeSeconds.toFixed(1)} s; starting a worker`);
      system.requester.reset();
      await system.startWorker();
      const drainStart = nowMs();
      await Promise.race([
        system.requester.waitForCompletions(count, 900_000, 'backlog drain'),
        system.manager.failOnExit(),
      ]);
      const drainSeconds = (system.requester.completions[count - 1]!.at - drainStart) / 1000;
      log(`drained in ${drainSeconds.toFixed(1)} s`);
      results.add({
        id: 'backlog.intake',
        scenario: 'backlog',
        label: 'Backlog intake, no worker alive',
        value: count / intakeSeconds,
        unit: 'msg/s',
        note: `${count.toLocaleString('en-US')} requests to NO_WORKER_AVAILABLE`,
      });
      results.add({
        id: 'backlog.drain-time',
        scenario: 'backlog',
        label: 'Backlog drain time',
        value: drainSeconds,
        unit: 's',
        note: `${count.toLocaleString('en-US')} requests, from worker ready`,
      });
      results.add({
        id: 'backlog.drain-rate',
        scenario: 'backlog',
        label: 'Backlog drain rate',
        value: count / drainSeconds,
        unit: 'msg/s',
        baselineId: 'system.throughput',
        target: { kind: 'ratio-at-least', min: 0.8 },
        chart: 'throughput',
      });
      await system.manager.stop();
      results.add({
        id: 'backlog.manager-rss',
        scenario: 'backlog',
        label: 'Manager peak RSS, backlog',
        value: system.manager.peakRssMb,
        unit: 'MB',
        target: { kind: 'value-below', max: 300 },
      });
    } finally {
      await db.end().catch(() => undefined);
      await system.stop();
    }
  },
};
