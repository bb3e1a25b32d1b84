import {
  echoSystem,
  finishScenario,
  LOAD,
  probe,
  ScenarioRun,
  startLoad,
  withNamespace,
} from '../src/index';

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
      const system = await echoSystem(ns);
      const { manager, requester } = system;
      // Kill while the first requests are finishing and the rest are still arriving.
      const load = await startLoad(system, 'k', total);
      const inFlight = total - requester.successes();
      await manager.kill('SIGKILL');
      run.note(`killed with ${inFlight} requests not yet finished`);
      await manager.spawn();
      const restarted = Date.now();
      const accepted = await load.accepted;
      const recovery = await probe(requester, system.contentType, restarted);
      return finishScenario(run, system, {
        accepted: [...accepted, ...recovery.ids],
        redeliveryAllowed: true,
        recoveryMs: recovery.ms,
      });
    });
    expect(result.violations).toEqual([]);
  });
});
