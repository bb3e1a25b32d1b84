import { useTestNamespace, waitFor } from '@org/testkit';
import { WorkerCatalogue } from '../../src/workers/worker-catalogue.service';
import { WorkerMessageCounters } from '../../src/workers/worker-message-counters';
import { database, startTestManager } from '../support/harness';
import { PlainInstance } from '../support/plain-instance';

const HOUR_MS = 3_600_000;
const config = { workers: [{ type: 'lv-a', contentTypes: ['lv/a'] }] };

describe('worker liveness (leases in PostgreSQL, database clock)', () => {
  const ns = useTestNamespace();

  it('expires a silent instance after WM_HEARTBEAT_EXPIRY_MS by the database clock; an hour of worker clock skew changes nothing', async () => {
    const expiryMs = 1500;
    const manager = await startTestManager(ns(), config, {
      heartbeatExpiryMs: expiryMs,
      livenessPollMs: 50,
    });
    const catalogue = manager.app.get(WorkerCatalogue);
    const flips: Array<{ type: string; available: boolean; at: number }> = [];
    catalogue.onAvailabilityChange((type, available) =>
      flips.push({ type, available, at: Date.now() }),
    );
    const ahead = await PlainInstance.register(ns(), 'lv-ahead', {}, { clockSkewMs: HOUR_MS });
    const behind = await PlainInstance.register(ns(), 'lv-behind', {}, { clockSkewMs: -HOUR_MS });
    ahead.beat(200);
    behind.beat(200);
    await waitFor(() => catalogue.isAvailable('lv-ahead') && catalogue.isAvailable('lv-behind'), {
      what: 'both skewed instances available',
    });

    // Heartbeats over four expiries: a manager judging by the worker's clock would have expired
    // the instance an hour behind at once.
    const beats = behind.published.heartbeat + Math.ceil((4 * expiryMs) / 200);
    await waitFor(() => behind.published.heartbeat >= beats, {
      what: `${beats} heartbeats sent`,
    });
    expect(flips.filter((flip) => !flip.available)).toEqual([]);

    // The lease is the database's time of storage, not the worker's.
    const db = await database(ns());
    const { rows } = await db.query<{ drift_ms: number }>(
      `SELECT abs(extract(epoch FROM now() - last_seen) * 1000)::float AS drift_ms
       FROM worker_instances WHERE id = ANY($1::text[])`,
      [[ahead.id, behind.id]],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.drift_ms).toBeLessThan(60_000);

    // Silent: gone after the expiry (not an hour later for the one ahead), not before it.
    const silencedAt = Date.now();
    ahead.silence();
    behind.silence();
    await waitFor(() => !catalogue.isAvailable('lv-ahead') && !catalogue.isAvailable('lv-behind'), {
      what: 'both silent types unavailable',
      timeoutMs: expiryMs + 5000,
    });
    for (const type of ['lv-ahead', 'lv-behind']) {
      const flip = flips.find((candidate) => candidate.type === type && !candidate.available);
      // The last heartbeat left at most one interval (200 ms) before the silence.
      expect(flip!.at - silencedAt).toBeGreaterThanOrEqual(expiryMs - 200 - 50);
    }
  });

  it('removes an unregistered instance at once, and a heartbeat stored after the unregistration does not revive it', async () => {
    const manager = await startTestManager(ns(), config, {
      heartbeatExpiryMs: 60_000,
      livenessPollMs: 50,
    });
    const catalogue = manager.app.get(WorkerCatalogue);
    const counters = manager.app.get(WorkerMessageCounters);
    const instance = await PlainInstance.register(ns(), 'lv-a');
    await waitFor(() => catalogue.isAvailable('lv-a'), { what: 'lv-a available' });

    await instance.unregister();
    // Far sooner than the 60 s expiry.
    await waitFor(() => !catalogue.isAvailable('lv-a'), {
      what: 'lv-a unavailable after unregister',
      timeoutMs: 5000,
    });

    // A heartbeat published before the unregister but stored after it (another replica's batch).
    const stored = counters.received.heartbeat + 1;
    await instance.send('heartbeat');
    await waitFor(() => counters.received.heartbeat >= stored, { what: 'late heartbeat taken' });
    const readAfter = Date.now();
    await waitFor(() => catalogue.lastReadAt() > readAfter + 100, { what: 'two fresh reads' });
    expect(catalogue.isAvailable('lv-a')).toBe(false);
    expect(catalogue.snapshot().find((type) => type.type === 'lv-a')).toBeUndefined();
  });

  it("reports each type's capacity: live ready instances, summed concurrency, the smallest batch only when every instance advertises one", async () => {
    const manager = await startTestManager(ns(), config, {
      heartbeatExpiryMs: 60_000,
      livenessPollMs: 50,
    });
    const catalogue = manager.app.get(WorkerCatalogue);
    expect(catalogue.capacity('lv-a')).toEqual({
      liveInstances: 0,
      concurrency: 0,
      batch: undefined,
    });
    await PlainInstance.register(ns(), 'lv-a', { concurrency: 3, batch: 4 });
    await PlainInstance.register(ns(), 'lv-a', { concurrency: 5, batch: 6 });
    await waitFor(() => catalogue.capacity('lv-a').liveInstances === 2, { what: '2 instances' });
    expect(catalogue.capacity('lv-a')).toEqual({ liveInstances: 2, concurrency: 8, batch: 4 });

    // A v1 instance: no batch (the type gets one job per message), default concurrency 8.
    const v1 = await PlainInstance.register(ns(), 'lv-a');
    await waitFor(() => catalogue.capacity('lv-a').liveInstances === 3, { what: '3 instances' });
    expect(catalogue.capacity('lv-a')).toEqual({
      liveInstances: 3,
      concurrency: 16,
      batch: undefined,
    });

    // Draining: alive, but no longer part of the capacity.
    v1.update({ status: 'draining' });
    await v1.send('heartbeat');
    await waitFor(() => catalogue.capacity('lv-a').liveInstances === 2, {
      what: 'draining instance left out',
    });
    expect(catalogue.capacity('lv-a')).toEqual({ liveInstances: 2, concurrency: 8, batch: 4 });
    expect(catalogue.snapshot().find((type) => type.type === 'lv-a')).toMatchObject({
      available: true,
      knownInstances: 3,
    });
  });

  it('delivers each worker message once to two replicas (not once per replica), and both see the same availability', async () => {
    const overrides = { heartbeatExpiryMs: 60_000, livenessPollMs: 50 };
    const managers = [
      await startTestManager(ns(), config, overrides),
      await startTestManager(ns(), config, overrides),
    ];
    const instances = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        PlainInstance.register(ns(), index % 2 === 0 ? 'lv-a' : 'lv-b', { concurrency: 2 }),
      ),
    );
    for (let round = 0; round < 10; round++)
      await Promise.all(instances.map((instance) => instance.send('heartbeat')));
    const published = instances.reduce(
      (total, instance) => total + instance.published.register + instance.published.heartbeat,
      0,
    );
    expect(published).toBe(440);

    const received = (): number =>
      managers
        .map((manager) => manager.app.get(WorkerMessageCounters).received)
        .reduce((total, counts) => total + counts.register + counts.heartbeat, 0);
    await waitFor(() => received() >= published, { what: `${published} deliveries` });
    const queue = await ns().channel.checkQueue(ns().names.queues.managerWorkers);
    expect(queue.messageCount).toBe(0);
    expect(queue.consumerCount).toBe(2);
    expect(received()).toBe(published);

    await waitFor(
      () =>
        managers.every(
          (manager) =>
            manager.app.get(WorkerCatalogue).capacity('lv-a').liveInstances === 20 &&
            manager.app.get(WorkerCatalogue).capacity('lv-b').liveInstances === 20,
        ),
      { what: 'both replicas see 20 + 20 instances' },
    );
    const [first, second] = managers.map((manager) =>
      manager.app
        .get(WorkerCatalogue)
        .snapshot()
        .sort((a, b) => (a.type < b.type ? -1 : 1)),
    );
    expect(first).toEqual(second);
    expect(first!.map((type) => [type.type, type.concurrency])).toEqual([
      ['lv-a', 40],
      ['lv-b', 40],
    ]);
  });
});
