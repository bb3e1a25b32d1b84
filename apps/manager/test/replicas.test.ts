import { connect } from 'amqplib';
import { HEADERS } from '@org/protocol';
import { collectEvents, header, useTestNamespace, waitFor } from '@org/testkit';
import { ConfigService } from '../src/config/config.service';
import { RequestCounters } from '../src/requests/request-counters';
import { configOf, database, startTestManager, startTestWorker } from './support/harness';
import { publishMany } from './support/publish-many';

const TOTAL = 5000;

describe('two replicas on one namespace', () => {
  const ns = useTestNamespace('mr');

  it(`process ${TOTAL} requests: each dispatched once, one terminal state each, no duplicate events`, async () => {
    const config = { workers: [{ type: 'bulk', contentTypes: ['bulk/x'] }] };
    // The default lease: the shortened test lease could expire under CPU contention and cause a
    // legitimate (fenced) second dispatch, which this test counts as a failure.
    const replicas = [
      await startTestManager(ns(), config, { dispatchLeaseMs: 10_000 }),
      await startTestManager(ns(), config, { dispatchLeaseMs: 10_000 }),
    ];
    const events = await collectEvents(ns());
    const db = await database(ns());

    // Half arrive while no worker is alive: both replicas then race to claim them.
    const waiting = await publishMany(ns().channel, ns().names, 'early', TOTAL / 2, 'bulk/x');
    await events.waitFor(TOTAL / 2, (m) => header(m, HEADERS.state) === 'DELAYED', 30_000);
    const workers = [
      await startTestWorker(ns(), { type: 'bulk', concurrency: 50, sendRunning: true }, replicas),
      await startTestWorker(ns(), { type: 'bulk', concurrency: 50, sendRunning: true }, replicas),
    ];
    const direct = await publishMany(ns().channel, ns().names, 'late', TOTAL / 2, 'bulk/x');
    await events.waitFor(TOTAL, (m) => header(m, HEADERS.state) === 'SUCCESS', 120_000);

    const jobs = new Map<string, number>();
    for (const job of workers.flatMap((worker) => worker.jobs))
      jobs.set(job.requestId, (jobs.get(job.requestId) ?? 0) + 1);
    const perState = new Map<string, number>();
    for (const message of events.messages) {
      const key = `${String(header(message, HEADERS.requestId))}|${String(header(message, HEADERS.state))}`;
      perState.set(key, (perState.get(key) ?? 0) + 1);
    }
    const terminal = ['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED', 'SKIPPED'];
    for (const id of [...waiting, ...direct]) {
      expect(jobs.get(id)).toBe(1);
      expect(terminal.map((state) => perState.get(`${id}|${state}`) ?? 0)).toEqual([1, 0, 0, 0, 0]);
      // GRANTED at most once: a job answered before its DISPATCHED record gets none (lean events).
      expect(perState.get(`${id}|GRANTED`) ?? 0).toBeLessThanOrEqual(1);
    }
    expect([...perState.values()].every((count) => count === 1)).toBe(true);
    const count = (state: string) =>
      events.matching((m) => header(m, HEADERS.state) === state).length;
    expect([count('SUCCESS'), count('DELAYED')]).toEqual([TOTAL, TOTAL / 2]);
    expect(count('GRANTED')).toBeLessThanOrEqual(TOTAL);
    // RUNNING is informational: when a worker's RUNNING and SUCCESS go to different replicas and
    // SUCCESS wins, the RUNNING finds the request finished and is dropped (never applied twice).
    expect(count('RUNNING')).toBeLessThanOrEqual(TOTAL);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM requests');
    expect(rows[0].n).toBe(0);
    const accepted = replicas.map((replica) => replica.app.get(RequestCounters).accepted);
    expect(accepted[0]! + accepted[1]!).toBe(TOTAL);
  }, 180_000);

  it('a configuration replaced on one replica reaches the other, which declares the new worker queue', async () => {
    const replicas = [
      await startTestManager(ns(), { workers: [{ type: 'first', contentTypes: ['a/x'] }] }),
      await startTestManager(ns(), undefined),
    ];
    expect(replicas[1]!.app.get(ConfigService).route('a/x')).toBeDefined();
    ns().workerTypes.add('second');
    await replicas[0]!.app.get(ConfigService).replace(
      configOf({
        workers: [
          { type: 'first', contentTypes: ['a/x'] },
          { type: 'second', contentTypes: ['b/x'] },
        ],
      }),
    );
    await waitFor(() => replicas[1]!.app.get(ConfigService).route('b/x') !== undefined, {
      what: 'the other replica reloading',
    });
    const connection = await connect(ns().amqpUrl);
    try {
      const channel = await connection.createChannel();
      await expect(channel.checkQueue(ns().names.workerQueue('second'))).resolves.toMatchObject({
        queue: ns().names.workerQueue('second'),
      });
    } finally {
      await connection.close();
    }
  });
});
