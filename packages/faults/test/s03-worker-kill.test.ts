import { waitFor } from '@org/testkit';
import {
  checkInvariants,
  ExecutionLog,
  LOAD,
  ManagerProcess,
  Requester,
  ScenarioRun,
  withNamespace,
  WorkerProcess,
} from '../src/index';

const CONFIG = 'workers:\n  - type: slow\n    contentTypes: [slow/in]\n';
const CONCURRENCY = 10;

describe('scenario 3: SIGKILL a worker holding a full prefetch', () => {
  it('redelivers exactly its jobs to the others, which finish everything', async () => {
    const total = LOAD.workerKill;
    const run = new ScenarioRun({
      id: 3,
      title: 'worker SIGKILL with a full prefetch',
      fault: `SIGKILL of one of 2 SDK workers while it runs ${CONCURRENCY} jobs (its whole concurrency; job batches on)`,
      load: `${total} requests, 2 workers x concurrency ${CONCURRENCY}, 100 ms per job`,
    });
    const result = await withNamespace('f3', async (ns) => {
      await ManagerProcess.start(ns, { configYaml: CONFIG });
      const executions = new ExecutionLog(ns.dir);
      const victim = await WorkerProcess.start(ns, {
        type: 'slow',
        concurrency: CONCURRENCY,
        delayMs: 100,
        log: executions.fileFor('victim'),
      });
      await WorkerProcess.start(ns, {
        type: 'slow',
        concurrency: CONCURRENCY,
        delayMs: 100,
        log: executions.fileFor('survivor'),
      });
      const requester = await Requester.start(ns);
      const publishing = requester.publishMany('w', total, 'slow/in');
      const held = await waitFor(
        () => {
          const open = executions.unfinished(victim.pid);
          return open.length >= CONCURRENCY && requester.successes() >= total / 10 && open;
        },
        { timeoutMs: 60_000, intervalMs: 5, what: 'the victim holding a full prefetch' },
      );
      await victim.kill('SIGKILL');
      const killed = Date.now();
      run.note(`killed holding ${held.length} jobs in its handler`);
      const accepted = await publishing;
      const report = await checkInvariants({
        ns,
        requester,
        executions,
        accepted,
        redeliveryAllowed: true,
      });
      const recoveryMs = Math.max(
        0,
        ...held.map((id) => (requester.terminals(id)[0]?.at ?? killed) - killed),
      );
      run.note('recovery: from the kill until the last of its jobs was served by the survivor');
      // A job runs twice only as a redelivery of what the killed worker held: it started there,
      // and every run carries the same attempt (the broker's copy, never a second dispatch).
      // With job batches (design 5.2) the worker holds whole batch messages, acknowledged once
      // every answer in them is confirmed, so a job it finished in a batch still open runs
      // again on the survivor; the manager absorbs the second answer.
      const startedByVictim = executions.starts(victim.pid);
      const unexpected = report.duplicatedRequests.filter(
        (id) => !startedByVictim.has(id) || new Set(executions.attemptsOf(id)).size > 1,
      );
      run.expect(
        unexpected.length === 0,
        `requests executed twice other than by redelivery of the killed worker's jobs: ${unexpected.slice(0, 5).join(', ')}`,
      );
      return run.finish(report, recoveryMs);
    });
    expect(result.violations).toEqual([]);
  });
});
