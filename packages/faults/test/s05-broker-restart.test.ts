import { waitFor } from '@org/testkit';
import {
  echoSystem,
  finishScenario,
  LOAD,
  OUTAGE_MS,
  probe,
  ScenarioRun,
  startLoad,
  withBrokerStopped,
  withNamespace,
} from '../src/index';

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
      const system = await echoSystem(ns);
      const { manager, requester, contentType } = system;
      const load = await startLoad(system, 'b', total);
      const outage = await withBrokerStopped(OUTAGE_MS, async () => {
        await waitFor(async () => (await manager.status('/health/ready')) === 503, {
          timeoutMs: 20_000,
          what: 'the manager reporting not ready without its broker',
        });
        run.note('the manager reported not ready (503) while the broker was down');
      });
      const restarted = Date.now();
      run.note(`broker down ${outage.downMs} ms; start_app took ${outage.restartMs} ms`);
      const recovery = await probe(requester, contentType, restarted - outage.restartMs, 90_000);
      const accepted = await load.accepted;
      const after = await requester.publishMany('after', LOAD.healthy, contentType);
      run.expect(manager.alive, 'the manager process exited');
      return finishScenario(run, system, {
        accepted: [...accepted, ...recovery.ids, ...after],
        redeliveryAllowed: true,
        recoveryMs: recovery.ms,
      });
    });
    expect(result.violations).toEqual([]);
  });
});
