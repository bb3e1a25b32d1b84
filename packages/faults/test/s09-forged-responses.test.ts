import { buildResponse } from '@org/protocol';
import { waitFor } from '@org/testkit';
import {
  ExecutionLog,
  finishScenario,
  ManagerProcess,
  Requester,
  ScenarioRun,
  withNamespace,
  WorkerProcess,
} from '../src/index';

const CONFIG =
  'workers:\n  - type: hold\n    contentTypes: [hold/in]\n  - type: other\n    contentTypes: [other/in]\n';

describe('scenario 9: replayed, forged and unknown responses', () => {
  it('ignores and counts them; one terminal state per request', async () => {
    const run = new ScenarioRun({
      id: 9,
      title: 'replayed, forged and unknown responses',
      fault:
        'the same SUCCESS response 3 times, a forged attempt number, a wrong worker type, a response for an unknown id',
      load: '3 requests held by a (slow) SDK worker, answered by hand',
    });
    const result = await withNamespace('f9', async (ns) => {
      const manager = await ManagerProcess.start(ns, { configYaml: CONFIG });
      const executions = new ExecutionLog(ns.dir);
      await WorkerProcess.start(ns, {
        type: 'hold',
        concurrency: 5,
        delayMs: 600_000,
        log: executions.fileFor('hold'),
      });
      ns.workerTypes.add('other');
      const requester = await Requester.start(ns);
      const ids = ['replayed', 'forged-attempt', 'forged-type'];
      for (const id of ids)
        await requester.publish({ requestId: id, contentType: 'hold/in', body: Buffer.from(id) });
      const attempts = await waitFor(
        async () => {
          const rows = await ns.query<{ id: string; attempt: number; state: string }>(
            `SELECT id, attempt, state FROM requests WHERE state IN ('DISPATCHED', 'RUNNING')`,
          );
          return rows.length === ids.length && new Map(rows.map((row) => [row.id, row.attempt]));
        },
        { what: 'the three requests dispatched' },
      );
      const dropped = () => manager.counter('wm_responses_dropped_total');
      const before = await dropped();
      const send = async (input: Parameters<typeof buildResponse>[1]) => {
        const message = buildResponse(ns.names, input);
        await requester.publishRaw(
          message.exchange,
          message.routingKey,
          message.content,
          message.options,
        );
      };
      const base = { workerType: 'hold', workerId: 'impostor', step: 0 };
      // The same message (same messageId) three times: applied once, then dropped.
      const replay = {
        ...base,
        requestId: 'replayed',
        attempt: attempts.get('replayed')!,
        status: 'SUCCESS' as const,
        body: Buffer.from('out'),
        messageId: 'replayed-response',
      };
      for (let n = 0; n < 3; n++) await send(replay);
      await send({
        ...base,
        requestId: 'forged-attempt',
        attempt: attempts.get('forged-attempt')! + 7,
        status: 'SUCCESS',
        body: Buffer.from('x'),
      });
      await send({
        ...base,
        workerType: 'other',
        requestId: 'forged-type',
        attempt: attempts.get('forged-type')!,
        status: 'SUCCESS',
        body: Buffer.from('x'),
      });
      await send({
        ...base,
        requestId: 'never-submitted',
        attempt: 1,
        status: 'SUCCESS',
        body: Buffer.from('x'),
      });
      const expectedDrops = 2 + 1 + 1 + 1;
      const drops = await waitFor(
        async () => {
          const n = (await dropped()) - before;
          return n >= expectedDrops && n;
        },
        { timeoutMs: 15_000, intervalMs: 200, what: `${expectedDrops} responses dropped` },
      ).catch(() => 0);
      run.note(
        `${drops} response(s) dropped and counted (wm_responses_dropped_total), ${expectedDrops} expected`,
      );
      run.expect(drops === expectedDrops, `dropped ${drops}, expected ${expectedDrops}`);
      const states = await ns.query<{ id: string; state: string }>(
        `SELECT id, state FROM requests`,
      );
      run.expect(
        states.every(
          (row) => row.id === 'replayed' || row.state === 'DISPATCHED' || row.state === 'RUNNING',
        ),
        `a forged response changed a request: ${JSON.stringify(states)}`,
      );
      // Now the genuine answers end the forged-at requests.
      for (const id of ['forged-attempt', 'forged-type'])
        await send({
          ...base,
          workerId: 'genuine',
          requestId: id,
          attempt: attempts.get(id)!,
          status: 'SUCCESS',
          body: Buffer.from(id),
        });
      return finishScenario(
        run,
        { ns, requester, executions },
        {
          accepted: ids,
          settleMs: 30_000,
          verify: () => {
            run.expect(
              requester.terminals('replayed').length === 1,
              'the replayed response produced more than one terminal event',
            );
            run.expect(
              requester.terminals('never-submitted').length === 0,
              'a response for an unknown id produced an event',
            );
          },
        },
      );
    });
    expect(result.violations).toEqual([]);
  });
});
