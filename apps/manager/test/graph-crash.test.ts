import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADERS, type DeliveredJob } from '@org/protocol';
import { collectEvents, header, useTestNamespace, waitFor } from '@org/testkit';
import { database } from './support/harness';
import { startManagerProcess } from './support/manager-process';
import { publishMany } from './support/publish-many';
import { TestWorker } from './support/test-worker';

const TOTAL = 300;
const CONFIG = `
workers:
  - type: kc-move
  - type: kc-describe
  - type: kc-sum
  - type: kc-join
workflows:
  - type: kc/diamond
    steps:
      - { id: move, worker: kc-move }
      - { id: describe, worker: kc-describe, after: [move] }
      - { id: sum, worker: kc-sum, after: [move] }
      - { id: join, worker: kc-join, after: [describe, sum] }
`;

describe('a manager SIGKILLed while a graph fan-out is half dispatched', () => {
  const ns = useTestNamespace('gk');

  it('loses no request and runs no step twice except by redelivery or a re-dispatch (counted)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-graph-crash-'));
    ns().defer(() => rm(dir, { recursive: true, force: true }));
    const configPath = join(dir, 'manager.yaml');
    writeFileSync(configPath, CONFIG);
    let first: ChildProcess | undefined = await startManagerProcess(ns(), configPath);
    ns().defer(() => first?.kill('SIGKILL'));
    const events = await collectEvents(ns());
    const db = await database(ns());
    const jobs: DeliveredJob[] = [];
    const workers = await Promise.all(
      ['kc-move', 'kc-describe', 'kc-sum', 'kc-join'].map((type) => {
        ns().workerTypes.add(type);
        return TestWorker.start({
          names: ns().names,
          amqpUrl: ns().amqpUrl,
          type,
          concurrency: 16,
          handler: (job) => {
            jobs.push(job);
            return { status: 'SUCCESS', body: Buffer.from(`${job.stepId ?? ''}:${job.requestId}`) };
          },
        });
      }),
    );
    for (const worker of workers) ns().defer(() => worker.stop());

    const ids = await publishMany(ns().channel, ns().names, 'gk', TOTAL, 'kc/diamond');
    // Half dispatched: some fan-outs have reached their middle steps, most have not.
    await waitFor(() => jobs.filter((job) => job.stepId === 'describe').length >= 40, {
      timeoutMs: 60_000,
      what: '40 describe jobs',
    });
    first.kill('SIGKILL');
    await new Promise((resolve) => first!.once('exit', resolve));
    first = undefined;
    const atKill = jobs.filter((job) => job.stepId === 'join').length;

    const second = await startManagerProcess(ns(), configPath);
    ns().defer(() => {
      second.kill('SIGTERM');
      return new Promise((resolve) => second.once('exit', resolve));
    });
    const succeeded = (id: string) =>
      events.matching(
        (m) => header(m, HEADERS.requestId) === id && header(m, HEADERS.state) === 'SUCCESS',
      ).length > 0;
    await waitFor(() => ids.every(succeeded), {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: `a SUCCESS for each of the ${TOTAL} graph requests`,
    });
    expect(
      events.matching((m) =>
        ['ERROR', 'INVALID_CONTENT', 'CANCELLED'].includes(String(header(m, HEADERS.state))),
      ),
    ).toEqual([]);
    expect(atKill).toBeLessThan(TOTAL);

    // Every (request, step) ran; a second run is a broker redelivery of the same attempt or a
    // re-dispatch under a new attempt (a lease the killed replica held), never anything else.
    const runs = new Map<string, DeliveredJob[]>();
    for (const job of jobs) {
      const key = `${job.requestId}/${job.stepId ?? ''}`;
      runs.set(key, [...(runs.get(key) ?? []), job]);
    }
    expect(runs.size).toBe(TOTAL * 4);
    let redelivered = 0;
    let redispatched = 0;
    for (const [key, list] of runs) {
      const seen = new Set<number>();
      for (const job of list) {
        if (seen.has(job.attempt)) {
          expect({ key, attempt: job.attempt, redelivered: job.redelivered }).toMatchObject({
            redelivered: true,
          });
          redelivered += 1;
        } else if (seen.size > 0) redispatched += 1;
        seen.add(job.attempt);
      }
    }
    console.log(
      `graph SIGKILL: ${jobs.length} step runs for ${TOTAL * 4} steps; ${redelivered} redelivered, ${redispatched} re-dispatched; ${atKill} joins before the kill`,
    );
    expect(jobs.length).toBe(TOTAL * 4 + redelivered + redispatched);
    await waitFor(
      async () => (await db.query('SELECT count(*)::int AS n FROM requests')).rows[0].n === 0,
      { timeoutMs: 20_000, what: 'no request or step row left' },
    );
  }, 240_000);
});
