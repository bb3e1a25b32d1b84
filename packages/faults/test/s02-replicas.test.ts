import {
  echoSystem,
  finishScenario,
  LOAD,
  probe,
  ScenarioRun,
  startLoad,
  withNamespace,
} from '../src/index';

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
      const system = await echoSystem(ns, { replicas });
      const load = await startLoad(system, 'r', total, 0.2);
      await system.managers[0]!.kill('SIGKILL');
      const killed = Date.now();
      const accepted = await load.accepted;
      const recovery = await probe(system.requester, system.contentType, killed);
      return finishScenario(run, system, {
        accepted: [...accepted, ...recovery.ids],
        redeliveryAllowed: true,
        recoveryMs: recovery.ms,
      });
    });
    expect(result.violations).toEqual([]);
  });
});
