import { JobAnswerer } from '../fleet/job-answerer';
import { SimulatedFleet } from '../fleet/simulated-fleet';
import { EventTally } from '../load/event-tally';
import { RequestLoad } from '../load/request-load';
import { watchForExpiries } from '../measure/expiry-watch';
import { type Criterion, type Scenario } from '../scenario';
import { contentTypeOf, SimEnvironment, simTypes, until } from '../sim-environment';

/** Replicas scenario 2 runs against. */
const REPLICAS = 2;
/** Requests per second flowing through the simulated instances during the steady run. */
const REQUEST_RATE = 20;

/**
 * Scenario 2: a steady run (every instance heartbeating, a light request load answered by the
 * simulated instances) in which no replica may see a live instance expire; then some instances
 * are killed silently and every replica must see them gone within 3 intervals + 1 s.
 */
export const instanceKillScenario: Scenario = {
  number: 2,
  title: 'Killed instances seen gone by every replica; no spurious expiry in a steady run',
  async run({ options, log }) {
    const types = simTypes(options.types);
    const interval = options.heartbeatIntervalMs;
    const expiryMs = 3 * interval;
    const env = await SimEnvironment.create({ name: 's2', types, heartbeatExpiryMs: expiryMs });
    let fleet: SimulatedFleet | undefined;
    const answerers: JobAnswerer[] = [];
    try {
      const replicas = await env.replicas.start(REPLICAS);
      await env.useSchema();
      fleet = await SimulatedFleet.start({
        names: env.ns.names,
        amqpUrl: env.ns.amqpUrl,
        instances: options.instances,
        types,
        heartbeatIntervalMs: interval,
      });
      const size = fleet.size;
      await until(
        async () =>
          (await Promise.all(replicas.map((replica) => replica.liveInstances()))).every(
            (live) => live === size,
          ),
        `every replica seeing ${size} live instances`,
        300_000,
      );
      log(
        `${size} instances live on ${REPLICAS} replicas; steady run of ${options.steadyMs / 1000} s`,
      );

      const answerChannel = await env.requester.createConfirmChannel();
      for (const type of types) {
        const ids = fleet.ids.filter((_, index) => fleet!.typeOf[index] === type);
        answerers.push(
          await JobAnswerer.start(answerChannel, {
            names: env.ns.names,
            type,
            instanceIds: ids,
            delayMs: 50,
            prefetch: 16,
          }),
        );
      }
      const tally = await EventTally.start(await env.requester.createChannel(), env.ns.names);
      const load = new RequestLoad(env.requesterChannel, env.ns.names);
      const loadDone = load.steady(types.map(contentTypeOf), REQUEST_RATE, options.steadyMs);
      const watch = await watchForExpiries(env.db, replicas, size, expiryMs, options.steadyMs);
      await loadDone;

      // Kill some instances spread over the types, without a word.
      const victims = Array.from({ length: Math.min(options.kill, size - 1) }, (_, index) =>
        Math.floor((index * size) / options.kill),
      );
      const killedAt = Date.now();
      fleet.kill(victims);
      const lastHeartbeat = Math.max(...victims.map((index) => fleet!.lastPublished[index]!));
      log(`killed ${victims.length} instances`);
      // When the database itself judges them all expired (what every replica's next read sees).
      const databaseGone = until(
        async () => {
          const { rows } = await env.db.query<{ live: number }>(
            `SELECT count(*)::int AS live FROM worker_instances WHERE id = ANY($1::text[])
             AND status = 'ready' AND last_seen > now() - make_interval(secs => $2::int / 1000.0)`,
            [victims.map((index) => fleet!.ids[index]), expiryMs],
          );
          return rows[0]?.live === 0;
        },
        'the database judging the killed instances expired',
        expiryMs + interval + 30_000,
        100,
      ).then(() => Date.now() - killedAt);
      const goneAfterMs: number[] = [];
      await Promise.all(
        replicas.map(async (replica) => {
          await until(
            async () => (await replica.liveInstances()) === size - victims.length,
            `${replica.id} seeing the killed instances gone`,
            expiryMs + interval + 30_000,
            100,
          );
          goneAfterMs.push(Date.now() - killedAt);
        }),
      );
      const stillLive = await Promise.all(replicas.map((replica) => replica.liveInstances()));
      const databaseGoneMs = await databaseGone;

      await until(
        () => tally.endedOnce(load.sent) + tally.duplicated(load.sent) >= load.sent.length,
        'every request of the load to end',
        60_000,
      );
      const succeeded = tally.endedOnce(load.sent);
      const duplicated = tally.duplicated(load.sent);
      await tally.close();

      const bound = 3 * interval + 1000;
      const slowest = Math.max(...goneAfterMs);
      const criteria: Criterion[] = [
        {
          name: `${victims.length} killed instances seen gone by each of ${REPLICAS} replicas`,
          target: `≤ 3 intervals + 1 s (${bound / 1000} s)`,
          measured: `${(slowest / 1000).toFixed(1)} s (slowest replica)`,
          pass: slowest <= bound && stillLive.every((live) => live === size - victims.length),
          timing: true,
        },
        {
          name: `spurious expiries in a ${options.steadyMs / 1000} s steady run`,
          target: '0',
          measured: `${watch.shortSamples} replica samples short, ${watch.expiredLeases} expired leases`,
          pass: watch.shortSamples === 0 && watch.expiredLeases === 0,
        },
        {
          name: `requests answered by simulated instances during the steady run (${REQUEST_RATE}/s)`,
          target: 'every one SUCCESS exactly once',
          measured: `${succeeded} / ${load.sent.length}, ${duplicated} duplicated`,
          pass: succeeded === load.sent.length && duplicated === 0,
        },
      ];
      return {
        criteria,
        table: [
          {
            instances: size,
            replicas: REPLICAS,
            'steady run s': options.steadyMs / 1000,
            'view samples': watch.samples * replicas.length,
            'fewest live seen': watch.minLive,
            killed: victims.length,
            'last heartbeat before kill s': ((killedAt - lastHeartbeat) / 1000).toFixed(1),
            'database: gone after s': (databaseGoneMs / 1000).toFixed(1),
            'replicas: gone after s': goneAfterMs.map((ms) => (ms / 1000).toFixed(1)).join(' / '),
            requests: load.sent.length,
          },
        ],
        notes: [
          `Expiry ${expiryMs / 1000} s (3 heartbeat intervals of ${interval / 1000} s). A killed instance's last heartbeat left up to one interval before the kill, so it is gone between 2 and 3 intervals after it, plus at most one liveness poll (250 ms).`,
          'Times are from the kill. "database: gone" is when the leases table itself judges every killed instance expired (their last heartbeat plus its write lag plus the expiry); a replica sees it at its next read (every 250 ms), measured here through its `/metrics`.',
          "Each second of the steady run, every replica's view (`wm_live_instances` on its /metrics) must count every instance, and no heartbeating instance's lease may be older than the expiry by the database clock.",
        ],
      };
    } finally {
      for (const answerer of answerers) await answerer.stop();
      await fleet?.stop(false);
      await env.close();
    }
  },
};
