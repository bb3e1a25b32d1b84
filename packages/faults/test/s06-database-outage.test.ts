import { waitFor } from '@org/testkit';
import {
  echoSystem,
  finishScenario,
  LOAD,
  OUTAGE_MS,
  probe,
  queueDepth,
  ScenarioRun,
  startLoad,
  withDatabaseStopped,
  withNamespace,
} from '../src/index';

const DURING = 100;

describe('scenario 6: PostgreSQL unavailable under load', () => {
  it('answers 503, does not ack intake, loses nothing, recovers on its own', async () => {
    const total = LOAD.databaseOutage;
    const run = new ScenarioRun({
      id: 6,
      title: 'PostgreSQL outage under load',
      fault: `pg_ctlcluster stop for ${OUTAGE_MS / 1000} s, then start (shortened from 30 s: the database is shared)`,
      load: `${total} requests, ${DURING} more published and 1 REST submit during the outage, 2 SDK workers`,
    });
    const result = await withNamespace('f6', async (ns) => {
      const system = await echoSystem(ns);
      const { manager, requester, contentType } = system;
      const load = await startLoad(system, 'd', total);
      let during: string[] = [];
      const outage = await withDatabaseStopped(OUTAGE_MS, async () => {
        const seen: number[] = [];
        await waitFor(
          async () => {
            if (!manager.alive) throw new Error(`the manager exited: ${manager.logs()}`);
            seen.push(await manager.status('/health/ready'));
            return seen.at(-1) === 503;
          },
          { timeoutMs: 20_000, what: 'the manager reporting not ready without its database' },
        ).catch((error: Error) => {
          throw new Error(`${error.message}; statuses seen: ${[...new Set(seen)].join(', ')}`);
        });
        const response = await fetch(`${manager.url}/api/v1/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            contentType,
            payload: { during: true },
            requestId: 'rest-during',
          }),
        });
        const body = (await response.json()) as { code?: string; statusCode?: number };
        run.note(`REST submit during the outage: ${response.status} ${body.code ?? ''}`);
        run.expect(
          response.status === 503,
          `REST submit answered ${response.status}, expected 503`,
        );
        run.expect(
          body.code === 'service_unavailable',
          `error code ${body.code}, expected service_unavailable`,
        );
        during = await requester.publishMany('during', DURING, contentType);
        // Accepted by the broker, but the manager cannot commit them, so it must not ack them.
        const pending = await waitFor(
          async () => {
            const count = await queueDepth(ns.names.queues.managerRequests);
            return count >= DURING && count;
          },
          {
            timeoutMs: 20_000,
            intervalMs: 500,
            what: 'the requests published during the outage left unacked',
          },
        ).catch(() => 0);
        run.expect(
          pending >= DURING,
          `only ${pending} request(s) left in the intake queue, expected ${DURING}`,
        );
        run.note(
          `${pending} request message(s) kept in the intake queue (not acked) during the outage`,
        );
      });
      const restarted = Date.now();
      run.note(`database down ${outage.downMs} ms; start took ${outage.restartMs} ms`);
      const recovery = await probe(requester, contentType, restarted - outage.restartMs, 90_000);
      await waitFor(async () => (await manager.status('/health/ready')) === 200, {
        timeoutMs: 30_000,
        what: 'the manager ready again',
      });
      run.expect(manager.alive, 'the manager process exited');
      const accepted = await load.accepted;
      return finishScenario(run, system, {
        accepted: [...accepted, ...during, ...recovery.ids],
        redeliveryAllowed: true,
        recoveryMs: recovery.ms,
      });
    });
    expect(result.violations).toEqual([]);
  });
});
