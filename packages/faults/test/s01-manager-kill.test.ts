import { waitFor } from '@org/testkit';
import {
  checkInvariants,
  ExecutionLog,
  LOAD,
  ManagerProcess,
  probe,
  Requester,
  ScenarioRun,
  withNamespace,
  WorkerProcess,
} from '../src/index';

const CONFIG = 'workers:\n  - type: echo\n    contentTypes: [echo/in]\n';

describe('scenario 1: SIGKILL the manager with requests in flight', () => {
  it('loses nothing and strands nothing after a restart', async () => {
    const total = LOAD.managerKill;
    const run = new ScenarioRun({
      id: 1,
      title: 'manager SIGKILL mid-load, restart',
      fault:
        'SIGKILL of the only manager process while intake and dispatch are both busy, then a restart',
      load: `${total} requests published as fast as confirms allow, 2 SDK workers x concurrency 20`,
    });
    const result = await withNamespace('f1', async (ns) => {
      const manager = await ManagerProcess.start(ns, { configYaml: CONFIG });
      const executions = new ExecutionLog(ns.dir);
      for (const n of [1, 2])
        await WorkerProcess.start(ns, {
          type: 'echo',
          concurrency: 20,
          log: executions.fileFor(`w${n}`),
        });
      const requester = await Requester.start(ns);
      const publishing = requester.publishMany('k', total, 'echo/in');
      // Kill while the first requests are finishing and the rest are still arriving.
      await waitFor(() => requester.successes() >= total / 10, {
        timeoutMs: 60_000,
        what: 'a tenth of the requests served',
      });
      const inFlight = total - requester.successes();
      await manager.kill('SIGKILL');
      run.note(`killed with ${inFlight} requests not yet finished`);
      await manager.spawn();
      const restarted = Date.now();
      const accepted = await publishing;
      const recovery = await probe(requester, 'echo/in', restarted);
      const report = await checkInvariants({
        ns,
        requester,
        executions,
        accepted: [...accepted, ...recovery.ids],
        redeliveryAllowed: true,
      });
      return run.finish(report, recovery.ms);
    });
    expect(result.violations).toEqual([]);
  });
});
