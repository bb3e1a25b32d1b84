import { waitFor } from '@org/testkit';
import {
  ExecutionLog,
  finishScenario,
  LOAD,
  ManagerProcess,
  probe,
  Requester,
  ScenarioRun,
  withNamespace,
  WorkerProcess,
} from '../src/index';

const CONFIG = 'workers:\n  - type: hang\n    contentTypes: [hang/in]\n';
const HELD = 5;

describe('scenario 4: SIGSTOP a worker past both heartbeats, then SIGCONT', () => {
  it('fences off its late responses: one terminal state per request', async () => {
    const run = new ScenarioRun({
      id: 4,
      title: 'worker SIGSTOP past heartbeat expiry, then SIGCONT',
      fault:
        'SIGSTOP of a worker holding jobs, past the manager heartbeat expiry (1.5 s) and the broker heartbeat (1 s, closed after 2 missed), then SIGCONT',
      load: `${HELD} jobs held by the stopped worker, plus ${LOAD.healthy} healthy requests to a second worker`,
    });
    const result = await withNamespace('f4', async (ns) => {
      const manager = await ManagerProcess.start(ns, { configYaml: CONFIG });
      const executions = new ExecutionLog(ns.dir);
      const url = new URL(ns.amqpUrl);
      url.searchParams.set('heartbeat', '1');
      const stopped = await WorkerProcess.start(ns, {
        type: 'hang',
        concurrency: HELD,
        delayMs: 3000,
        amqpUrl: url.toString(),
        log: executions.fileFor('stopped'),
      });
      const requester = await Requester.start(ns);
      const held = await requester.publishMany('h', HELD, 'hang/in');
      await waitFor(() => executions.unfinished(stopped.pid).length === HELD, {
        what: 'the worker holding every job',
      });
      await stopped.kill('SIGSTOP');
      const frozenAt = Date.now();
      const droppedBefore = await manager.counter('wm_responses_dropped_total');
      await WorkerProcess.start(ns, {
        type: 'hang',
        concurrency: 20,
        log: executions.fileFor('healthy'),
      });
      const healthy = await requester.publishMany('ok', LOAD.healthy, 'hang/in');
      // The broker closes the frozen worker's connection after missed heartbeats and requeues
      // its jobs; the healthy worker serves them.
      await requester.waitTerminal(held, 60_000, 'the held jobs served by the other worker');
      const detectedMs = Math.max(...held.map((id) => requester.terminals(id)[0]!.at)) - frozenAt;
      run.note(`held jobs served by the other worker ${detectedMs} ms after the SIGSTOP`);
      await stopped.kill('SIGCONT');
      const resumedAt = Date.now();
      // Once resumed, its handlers finish and it answers on a new connection: too late.
      await waitFor(() => executions.unfinished(stopped.pid).length === 0, {
        timeoutMs: 30_000,
        what: 'the resumed worker finishing its handlers',
      });
      const late = await waitFor(
        async () => {
          const dropped = (await manager.counter('wm_responses_dropped_total')) - droppedBefore;
          return dropped >= HELD && dropped;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'the late responses dropped' },
      ).catch(() => 0);
      run.note(
        `${late} late response(s) from the resumed worker dropped by the manager (wm_responses_dropped_total)`,
      );
      run.expect(
        late >= HELD,
        `expected the ${HELD} late final answers to be dropped and counted, saw ${late}`,
      );
      const recovery = await probe(requester, 'hang/in', resumedAt);
      return finishScenario(
        run,
        { ns, requester, executions },
        {
          accepted: [...held, ...healthy, ...recovery.ids],
          redeliveryAllowed: true,
          recoveryMs: detectedMs,
          verify: (report) =>
            run.expect(
              report.duplicatedRequests.every((id) => held.includes(id)),
              'only the held jobs may run twice',
            ),
        },
      );
    });
    expect(result.violations).toEqual([]);
  });
});
