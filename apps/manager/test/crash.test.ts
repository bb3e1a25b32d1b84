import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADERS } from '@org/protocol';
import { collectEvents, header, useTestNamespace, waitFor } from '@org/testkit';
import { database } from './support/harness';
import { startManagerProcess } from './support/manager-process';
import { publishMany } from './support/publish-many';
import { TestWorker } from './support/test-worker';

const TOTAL = 2000;

describe('a manager process killed with SIGKILL mid-load', () => {
  const ns = useTestNamespace('mk');

  it('loses no request and strands none after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-crash-'));
    const configPath = join(dir, 'manager.yaml');
    writeFileSync(configPath, 'workers:\n  - type: crashy\n    contentTypes: [crash/x]\n');
    ns().workerTypes.add('crashy');
    let first: ChildProcess | undefined = await startManagerProcess(ns(), configPath);
    ns().defer(() => first?.kill('SIGKILL'));
    const events = await collectEvents(ns());
    const db = await database(ns());
    const workers = await Promise.all(
      [1, 2].map(() =>
        TestWorker.start({
          names: ns().names,
          amqpUrl: ns().amqpUrl,
          type: 'crashy',
          concurrency: 20,
          sendRunning: true,
        }),
      ),
    );
    for (const worker of workers) ns().defer(() => worker.stop());

    const ids = await publishMany(ns().channel, ns().names, 'k', TOTAL, 'crash/x');
    await events.waitFor(200, (m) => header(m, HEADERS.state) === 'SUCCESS', 60_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first!.once('exit', resolve));
    first = undefined;

    const second = await startManagerProcess(ns(), configPath);
    ns().defer(() => {
      second.kill('SIGTERM');
      return new Promise((resolve) => second.once('exit', resolve));
    });
    const done = (id: string) =>
      events.matching(
        (m) => header(m, HEADERS.requestId) === id && header(m, HEADERS.state) === 'SUCCESS',
      ).length > 0;
    await waitFor(() => ids.every(done), {
      timeoutMs: 90_000,
      intervalMs: 200,
      what: `a SUCCESS for each of the ${TOTAL} requests`,
    });
    await waitFor(
      async () => (await db.query('SELECT count(*)::int AS n FROM requests')).rows[0].n === 0,
      {
        timeoutMs: 15_000,
        what: 'no request left in the table (none stranded in TO_DISPATCH or DISPATCHED)',
      },
    );
    // Events the killed replica had staged are sent by the relay once their claim expires.
    await waitFor(
      async () => (await db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0,
      {
        timeoutMs: 20_000,
        what: 'the outbox drained',
      },
    );
  }, 180_000);
});
