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

describe('scenario 2: several manager replicas, one SIGKILLed mid-batch', () => {
  it.each([2, 3])('%i replicas: the survivors finish everything', async (replicas) => {
    const total = LOAD.replicas;
    const run = new ScenarioRun({
      id: 2,
      title: `${replicas} manager replicas, one SIGKILLed`,
      fault: `SIGKILL of one of ${replicas} manager replicas mid-batch, not restarted`,
      load: `${total} requests, 2 SDK workers x concurrency 20`,
    });
    const result = await withNamespace('f2', async (ns) => {
      const managers: ManagerProcess[] = [];
      for (let n = 0; n < replicas; n++)
        managers.push(await ManagerProcess.start(ns, { configYaml: CONFIG }, `replica${n}`));
      const executions = new ExecutionLog(ns.dir);
      for (const n of [1, 2])
        await WorkerProcess.start(ns, {
          type: 'echo',
          concurrency: 20,
          log: executions.fileFor(`w${n}`),
        });
      const requester = await Requester.start(ns);
      const publishing = requester.publishMany('r', total, 'echo/in');
      await waitFor(() => requester.successes() >= total / 5, {
        timeoutMs: 60_000,
        what: 'a fifth of the requests served',
      });
      await managers[0]!.kill('SIGKILL');
      const killed = Date.now();
      const accepted = await publishing;
      const recovery = await probe(requester, 'echo/in', killed);
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
