import { sumOf } from '../cluster/prometheus';
import { SimulatedFleet } from '../fleet/simulated-fleet';
import { LeaseLagSampler } from '../measure/lease-lag';
import { distribution } from '../measure/percentiles';
import { type Criterion, type Scenario } from '../scenario';
import { SimEnvironment, simTypes, until } from '../sim-environment';

/** `WM_LIVENESS_POLL_MS` default: a replica's view trails the database by at most this. */
const LIVENESS_POLL_MS = 250;

/**
 * Scenario 1: N instances heartbeating against 1, 2 and 4 replicas in turn. Broker deliveries
 * of the shared liveness queue (counted by the replicas: `wm_worker_messages_total`, summed)
 * against the fleet's publish rate, and the lease lag.
 */
export const heartbeatRateScenario: Scenario = {
  number: 1,
  title: 'Heartbeats once per deployment: deliveries against the publish rate, lease lag',
  async run({ options, log }) {
    const types = simTypes(options.types);
    const env = await SimEnvironment.create({
      name: 's1',
      types,
      heartbeatExpiryMs: 3 * options.heartbeatIntervalMs,
    });
    const table: Array<Record<string, string | number>> = [];
    const criteria: Criterion[] = [];
    let fleet: SimulatedFleet | undefined;
    try {
      // The first replica migrates the schema before the fleet registers.
      await env.replicas.start(1);
      await env.useSchema();
      fleet = await SimulatedFleet.start({
        names: env.ns.names,
        amqpUrl: env.ns.amqpUrl,
        instances: options.instances,
        types,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
      });
      log(`${fleet.size} instances registered`);
      for (const count of options.replicaCounts) {
        await env.replicas.stopAll();
        const replicas = await env.replicas.start(count);
        await until(
          async () =>
            (await Promise.all(replicas.map((replica) => replica.liveInstances()))).every(
              (live) => live === fleet!.size,
            ),
          `${count} replica(s) seeing ${fleet.size} live instances`,
          300_000,
        );
        const deliveries = async (): Promise<number> =>
          (await Promise.all(replicas.map((replica) => replica.metrics())))
            .map(
              (samples) =>
                sumOf(samples, 'wm_worker_messages_total', { kind: 'heartbeat' }) +
                sumOf(samples, 'wm_worker_messages_total', { kind: 'register' }),
            )
            .reduce((total, value) => total + value, 0);
        // Counted between two quiet points (fleet held a moment, queue empty, counts still), so
        // every heartbeat published in the window is delivered in it: an exact comparison.
        const quiet = async (): Promise<number> => {
          await fleet!.pause();
          // Every message is in the queue (the fleet's confirms); wait until none is ready and
          // the replicas' counts stood still for 3 s (what they had prefetched is handled).
          let current = await deliveries();
          for (let still = 0; still < 3;) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            const next = await deliveries();
            still = next === current && (await env.livenessBacklog()) === 0 ? still + 1 : 0;
            current = next;
          }
          return current;
        };
        const published = (): number => fleet!.published.heartbeat + fleet!.published.register;
        const delivered0 = await quiet();
        const published0 = published();
        const sampler = new LeaseLagSampler(env.db, fleet);
        sampler.start();
        const cpuStart = env.replicas.cpuSeconds();
        const started = Date.now();
        fleet.resume();
        log(`${count} replica(s): measuring ${options.rateWindowMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, options.rateWindowMs));
        await fleet.pause();
        const publishedInWindow = published() - published0;
        const seconds = (Date.now() - started) / 1000;
        const cpu = env.replicas
          .cpuSeconds()
          .map((value, index) => (100 * (value - (cpuStart[index] ?? 0))) / seconds);
        await sampler.stop();
        const delivered = (await quiet()) - delivered0;
        fleet.resume();
        const lag = distribution(sampler.lagsMs);
        const ratio = publishedInWindow > 0 ? delivered / publishedInWindow : 0;
        table.push({
          replicas: count,
          'published/s': round(publishedInWindow / seconds),
          'delivered/s': round(delivered / seconds),
          'delivered ÷ published': ratio.toFixed(3),
          'write lag p50 ms': Math.round(lag.p50),
          'write lag p99 ms': Math.round(lag.p99),
          'write lag max ms': Math.round(lag.max),
          'lease lag p99 ms (+ poll)': Math.round(lag.p99 + LIVENESS_POLL_MS),
          'lag samples': lag.count,
          'replica CPU %': cpu.map((value) => value.toFixed(0)).join(' / '),
          'published in window': publishedInWindow,
          delivered,
        });
        criteria.push({
          name: `${count} replica(s): deliveries ÷ publishes`,
          target: '1 ± 10% (not × replicas)',
          measured: ratio.toFixed(3),
          pass: Math.abs(ratio - 1) <= 0.1,
        });
        criteria.push({
          name: `${count} replica(s): lease lag p99 (write lag + one liveness poll)`,
          target: `< 1000 ms over ${options.rateWindowMs / 1000} s`,
          measured: `${Math.round(lag.p99 + LIVENESS_POLL_MS)} ms`,
          pass: lag.count > 0 && lag.p99 + LIVENESS_POLL_MS < 1000,
          timing: true,
        });
        log(
          `${count} replica(s): ${round(publishedInWindow / seconds)}/s published, ${round(delivered / seconds)}/s delivered, lag p99 ${Math.round(lag.p99)} ms`,
        );
      }
      const { rows } = await env.db.query<{ dead: number; live: number }>(
        `SELECT n_dead_tup::int AS dead, n_live_tup::int AS live FROM pg_stat_user_tables
         WHERE schemaname = $1 AND relname = 'worker_instances'`,
        [env.ns.name],
      );
      return {
        criteria,
        table,
        notes: [
          `${fleet.size} instances over ${types.length} types, one heartbeat each every ${options.heartbeatIntervalMs / 1000} s, on ${Math.min(8, Math.max(1, Math.ceil(fleet.size / 5000)))} shared connection(s).`,
          'Deliveries are counted by the replicas (`wm_worker_messages_total{kind="heartbeat"}`, summed): the shared broker has no management API. Each replica counts a broker delivery once, redeliveries included.',
          'Write lag: from a heartbeat leaving the fleet to its lease (`last_seen`, database clock) being written. A replica reads the leases every `WM_LIVENESS_POLL_MS` (250 ms), so its view trails by at most that much more: the lease lag column adds it.',
          `worker_instances after the run: ${rows[0]?.live ?? '?'} live tuples, ${rows[0]?.dead ?? '?'} dead (autovacuum and HOT pruning keep up).`,
        ],
      };
    } finally {
      await fleet?.stop(false);
      await env.close();
    }
  },
};

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
