import { waitFor } from '@org/testkit';
import {
  checkInvariants,
  ExecutionLog,
  LOAD,
  ManagerProcess,
  OUTAGE_MS,
  probe,
  Requester,
  ScenarioRun,
  withBrokerStopped,
  withNamespace,
  WorkerProcess,
} from '../src/index';

const CONFIG = 'workers:\n  - type: echo\n    contentTypes: [echo/in]\n';

describe('scenario 5: RabbitMQ restarted under load', () => {
  it('manager and workers reconnect on their own; nothing accepted is lost', async () => {
    const total = LOAD.brokerRestart;
    const run = new ScenarioRun({
      id: 5,
      title: 'RabbitMQ restart under load',
      fault: `rabbitmqctl stop_app for ${OUTAGE_MS / 1000} s, then start_app (shortened from 30 s: the broker is shared)`,
      load: `${total} requests, 2 SDK workers x concurrency 20, ${LOAD.healthy} more after the restart`,
    });
    const result = await withNamespace('f5', async (ns) => {
      const manager = await ManagerProcess.start(ns, { configYaml: CONFIG });
      const executions = new ExecutionLog(ns.dir);
      for (const n of [1, 2])
        await WorkerProcess.start(ns, {
          type: 'echo',
          concurrency: 20,
          log: executions.fileFor(`w${n}`),
        });
      const requester = await Requester.start(ns);
      const publishing = requester.publishMany('b', total, 'echo/in');
      await waitFor(() => requester.successes() >= total / 10, {
        timeoutMs: 60_000,
        what: 'a tenth served',
      });
      const outage = await withBrokerStopped(OUTAGE_MS, async () => {
        await waitFor(async () => (await manager.status('/health/ready')) === 503, {
          timeoutMs: 20_000,
          what: 'the manager reporting not ready without its broker',
        });
        run.note('the manager reported not ready (503) while the broker was down');
      });
      const restarted = Date.now();
      run.note(`broker down ${outage.downMs} ms; start_app took ${outage.restartMs} ms`);
      const recovery = await probe(requester, 'echo/in', restarted - outage.restartMs, 90_000);
      const accepted = await publishing;
      const after = await requester.publishMany('after', LOAD.healthy, 'echo/in');
      run.expect(manager.alive, 'the manager process exited');
      const report = await checkInvariants({
        ns,
        requester,
        executions,
        accepted: [...accepted, ...recovery.ids, ...after],
        redeliveryAllowed: true,
      });
      return run.finish(report, recovery.ms);
    });
    expect(result.violations).toEqual([]);
  });
});
