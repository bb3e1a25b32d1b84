import { useTestNamespace } from '@org/testkit';
import { InstancePruner } from '../../src/workers/instance-pruner.service';
import { database, startTestManager } from '../support/harness';

describe('pruning silent instances', () => {
  const ns = useTestNamespace();

  it('deletes instances silent for 10 expiries and tombstones older than one, at most 5,000 rows a run, and keeps the rest', async () => {
    const manager = await startTestManager(
      ns(),
      { workers: [{ type: 'pr-a', contentTypes: ['pr/a'] }] },
      { heartbeatExpiryMs: 60_000 },
    );
    // The replica's own periodic runs stop, so the runs below are the only ones.
    const pruner = manager.app.get(InstancePruner);
    await pruner.onModuleDestroy();
    const db = await database(ns());
    const insert = (prefix: string, count: number, status: string, age: string): Promise<unknown> =>
      db.query(
        `INSERT INTO worker_instances (id, type, status, stats, registered_at, last_seen)
         SELECT $1 || g, 'pr-a', $2, '{}', now() - $3::interval, now() - $3::interval
         FROM generate_series(1, $4::int) AS g`,
        [prefix, status, age, count],
      );
    await insert('old-', 6000, 'ready', '1 hour'); // silent longer than 10 × 60 s
    await insert('tomb-', 3, 'unregistered', '2 minutes'); // unregistered over one expiry ago
    await insert('recent-tomb-', 2, 'unregistered', '0 seconds');
    await insert('quiet-', 4, 'ready', '5 minutes'); // expired, but still listed for operators
    await insert('live-', 5, 'ready', '0 seconds');

    expect(await pruner.prune()).toBe(5000);
    expect(await pruner.prune()).toBe(1003);
    expect(await pruner.prune()).toBe(0);
    const { rows } = await db.query<{ prefix: string; count: number }>(
      `SELECT regexp_replace(id, '[0-9]+$', '') AS prefix, count(*)::int AS count
       FROM worker_instances GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { prefix: 'live-', count: 5 },
      { prefix: 'quiet-', count: 4 },
      { prefix: 'recent-tomb-', count: 2 },
    ]);
  });
});
