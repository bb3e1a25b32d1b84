import { TcpProxy, waitFor } from '@org/testkit';
import {
  echoSystem,
  finishScenario,
  holdUntil,
  LOAD,
  OUTAGE_MS,
  probe,
  ScenarioRun,
  startLoad,
  withNamespace,
} from '../src/index';

/** The manager's AMQP heartbeat (amqp.service.ts); a connection is dead after two missed ones. */
const HEARTBEAT_S = 5;
const TWO_TIMEOUTS_MS = 2 * 2 * HEARTBEAT_S * 1000;

describe('scenario 7: network cut and latency between manager and broker', () => {
  it('detects the dead connection within two heartbeat timeouts and loses nothing', async () => {
    const total = LOAD.network;
    const run = new ScenarioRun({
      id: 7,
      title: 'network black hole, then 200 ms latency',
      fault: `TCP proxy between manager and broker black-holes all bytes for at least ${OUTAGE_MS / 1000} s (shortened from 30 s), then passes them with 200 ms latency each way`,
      load: `${total} requests, 2 SDK workers (direct to the broker) x concurrency 20`,
    });
    const result = await withNamespace('f7', async (ns) => {
      const url = new URL(ns.amqpUrl);
      const proxy = await TcpProxy.start(url.hostname, Number(url.port || 5672));
      ns.defer(() => proxy.close());
      const system = await echoSystem(ns, {
        managerEnv: { AMQP_URL: proxy.proxiedUrl(ns.amqpUrl) },
      });
      const { manager } = system;
      const load = await startLoad(system, 'n', total);
      proxy.blackhole();
      const cut = Date.now();
      await waitFor(async () => (await manager.status('/health/ready')) === 503, {
        timeoutMs: TWO_TIMEOUTS_MS + 10_000,
        intervalMs: 200,
        what: 'the manager noticing the dead broker connection',
      });
      const detectedMs = Date.now() - cut;
      run.note(`dead connection detected after ${detectedMs} ms (heartbeat ${HEARTBEAT_S} s)`);
      run.expect(
        detectedMs <= TWO_TIMEOUTS_MS,
        `detection took ${detectedMs} ms, more than two heartbeat timeouts (${TWO_TIMEOUTS_MS} ms)`,
      );
      await holdUntil(cut + OUTAGE_MS);
      proxy.restore();
      proxy.setLatency(200);
      const restored = Date.now();
      const recovery = await probe(system.requester, system.contentType, restored, 90_000);
      const accepted = await load.accepted;
      return finishScenario(run, system, {
        accepted: [...accepted, ...recovery.ids],
        redeliveryAllowed: true,
        recoveryMs: recovery.ms,
        verify: () => run.expect(manager.alive, 'the manager process exited'),
      });
    });
    expect(result.violations).toEqual([]);
  });
});
