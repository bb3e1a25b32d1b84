import { WINDOW_PER_CONCURRENCY } from '@org/protocol';
import { type ManagerReplica } from '../cluster/manager-replicas';
import { sumOf } from '../cluster/prometheus';
import { JobAnswerer } from '../fleet/job-answerer';
import { SimulatedFleet } from '../fleet/simulated-fleet';
import { EventTally } from '../load/event-tally';
import { RequestLoad } from '../load/request-load';
import { distribution } from '../measure/percentiles';
import { timeUntil } from '../measure/time-until';
import { type Criterion, type Scenario } from '../scenario';
import { contentTypeOf, SimEnvironment, until } from '../sim-environment';

const TYPE = 'sim-zero';
/** Two replicas: the signal must be the same on each (it is read from the database). */
const REPLICAS = 2;
/** Time a job "runs" before its answer: answers must not compete with the dispatch measured. */
const ANSWER_DELAY_MS = 1000;

/** `waitingRequests` of `GET /api/v1/scaling/:type`: read from the database at each call. */
async function jsonWaiting(replica: ManagerReplica, type: string): Promise<number> {
  return (await replica.scaling(type)).waitingRequests;
}

/** `wm_waiting_requests` of the type on `/metrics` (every waiting state summed). */
async function gaugeWaiting(replica: ManagerReplica, type: string): Promise<number> {
  return sumOf(await replica.metrics(), 'wm_waiting_requests', { worker_type: type });
}

/**
 * Scenario 3: a worker type with no instance at all. The first request must show in the
 * scale-from-zero signal within 1 s; then the whole backlog waits, one worker instance appears,
 * and the backlog must reach it within 2 s (p99) of its first heartbeat, every request ending
 * exactly once.
 */
export const scaleFromZeroScenario: Scenario = {
  number: 3,
  title: 'Scale from zero: the waiting signal, then dispatch after the first heartbeat',
  async run({ options, log }) {
    const total = options.backlog;
    const env = await SimEnvironment.create({
      name: 's3',
      types: [TYPE],
      heartbeatExpiryMs: 3 * options.heartbeatIntervalMs,
    });
    let fleet: SimulatedFleet | undefined;
    let answerer: JobAnswerer | undefined;
    try {
      const replicas = await env.replicas.start(REPLICAS);
      await env.useSchema();
      const tally = await EventTally.start(await env.requester.createChannel(), env.ns.names);
      const load = new RequestLoad(env.requesterChannel, env.ns.names);
      // Nothing waits yet: a signal of 1 later is the first request's doing.
      for (const replica of replicas) {
        const before = await jsonWaiting(replica, TYPE);
        if (before !== 0) throw new Error(`${replica.id}: ${before} requests waiting before any`);
      }

      // 1. The first request, alone; every replica polled until it shows.
      await load.burst(contentTypeOf(TYPE), 1);
      const firstSentAt = load.sentAt[0]!;
      const [jsonAfterMs, gaugeAfterMs] = await Promise.all([
        Promise.all(
          replicas.map((replica) =>
            timeUntil(async () => (await jsonWaiting(replica, TYPE)) >= 1, firstSentAt, 30_000),
          ),
        ),
        Promise.all(
          replicas.map((replica) =>
            timeUntil(async () => (await gaugeWaiting(replica, TYPE)) >= 1, firstSentAt, 30_000),
          ),
        ),
      ]);
      const shown = (ms: number | undefined): string =>
        ms === undefined ? 'not in 30 s' : `${ms} ms`;
      log(`first request in the signal after ${jsonAfterMs.map(shown).join(' / ')}`);

      // 2. The rest of the backlog, all waiting (NO_WORKER_AVAILABLE) before a worker appears.
      await load.burst(contentTypeOf(TYPE), total - 1);
      await until(
        async () =>
          (await Promise.all(replicas.map((replica) => jsonWaiting(replica, TYPE)))).every(
            (waiting) => waiting === total,
          ),
        `every replica's signal counting ${total} waiting requests`,
        300_000,
      );
      const fullSignal = await replicas[0]!.scaling(TYPE);
      log(`${total} requests waiting; desired instances ${fullSignal.desiredInstances}`);

      // 3. One worker instance, whose window holds the whole backlog: what is measured is how
      // soon the manager hands the backlog to a worker, not how fast one worker gets through it.
      const concurrency = Math.ceil(total / WINDOW_PER_CONCURRENCY);
      const arrivals = new Map<string, number>();
      let deliveries = 0;
      // Filled with the instance's id once the fleet has made it up; no job can come before.
      const instanceIds: string[] = [];
      answerer = await JobAnswerer.start(await env.requester.createConfirmChannel(), {
        names: env.ns.names,
        type: TYPE,
        instanceIds,
        delayMs: ANSWER_DELAY_MS,
        prefetch: Math.min(total, 65_535),
        onJob: (job, receivedAt) => {
          deliveries += 1;
          if (!arrivals.has(job.requestId)) arrivals.set(job.requestId, receivedAt);
        },
      });
      fleet = await SimulatedFleet.start({
        names: env.ns.names,
        amqpUrl: env.ns.amqpUrl,
        instances: 1,
        types: [TYPE],
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        concurrency,
      });
      // Read before the fleet's first tick: its registration, the first liveness message.
      const firstHeartbeatAt = fleet.lastPublished[0]!;
      instanceIds.push(fleet.ids[0]!);
      const liveAfterMs = await Promise.all(
        replicas.map((replica) =>
          timeUntil(
            async () =>
              sumOf(await replica.metrics(), 'wm_live_instances', { worker_type: TYPE }) >= 1,
            firstHeartbeatAt,
            60_000,
          ),
        ),
      );
      await until(() => arrivals.size === total, `${total} jobs at the worker`, 300_000, 50);
      const dispatch = distribution(
        [...arrivals.values()].map((receivedAt) => receivedAt - firstHeartbeatAt),
      );
      log(`dispatch after the first heartbeat: p50 ${dispatch.p50} ms, p99 ${dispatch.p99} ms`);
      await until(() => tally.ended(load.sent) === total, 'every request to end', 300_000);
      // Late copies of a terminal event would come within a dispatch lease (10 s); a second is
      // enough to catch those already in flight.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const outcomes = tally.outcomes(load.sent);
      await tally.close();

      const slowestSignal = Math.max(...jsonAfterMs.map((ms) => ms ?? Infinity));
      const criteria: Criterion[] = [
        {
          name: `waiting signal ≥ 1 on each of ${REPLICAS} replicas after the first request`,
          target: '≤ 1000 ms',
          measured: `${jsonAfterMs.map(shown).join(' / ')}`,
          pass: slowestSignal <= 1000,
          timing: true,
        },
        {
          name: `${total} waiting jobs at the worker, from its first heartbeat`,
          target: 'p99 ≤ 2000 ms',
          measured: `p99 ${dispatch.p99} ms (p50 ${dispatch.p50}, max ${dispatch.max})`,
          pass: dispatch.count === total && dispatch.p99 <= 2000,
          timing: true,
        },
        {
          name: 'requests lost or duplicated',
          target: '0: one terminal event each, SUCCESS',
          measured: `${outcomes.missing} lost, ${outcomes.endedTwice} ended twice, ${outcomes.resent} terminal events sent twice, ${outcomes.otherState} not SUCCESS`,
          pass:
            outcomes.endedOnce === total &&
            outcomes.endedTwice === 0 &&
            outcomes.resent === 0 &&
            tally.endedOnce(load.sent) === total,
        },
      ];
      return {
        criteria,
        table: [
          {
            requests: total,
            replicas: REPLICAS,
            'signal ≥ 1 after ms (JSON)': jsonAfterMs.map(shown).join(' / '),
            'signal ≥ 1 after ms (/metrics)': gaugeAfterMs.map(shown).join(' / '),
            'desired instances (backlog full)': fullSignal.desiredInstances,
            'instance concurrency': concurrency,
            'seen live after ms': liveAfterMs.map(shown).join(' / '),
            'first job after ms':
              dispatch.count > 0 ? Math.min(...arrivals.values()) - firstHeartbeatAt : '',
            'dispatch p50 ms': dispatch.p50,
            'dispatch p99 ms': dispatch.p99,
            'dispatch max ms': dispatch.max,
            'job deliveries': deliveries,
          },
        ],
        notes: [
          `Worker type \`${TYPE}\` has no instance. One request is published; each replica's \`GET /api/v1/scaling/${TYPE}\` (what a KEDA metrics-api trigger reads; computed from the database at each call) is polled every 20 ms, and the time is from the publish to the answer saying \`waitingRequests ≥ 1\`. The \`/metrics\` column is the same for the \`wm_waiting_requests\` gauge, which a replica refreshes from the database at most every 2 s (a Prometheus scrape interval is longer anyway).`,
          `Then the other ${total - 1} requests are published and wait (NO_WORKER_AVAILABLE) until every replica's signal counts ${total}. One simulated instance registers, advertising a concurrency of ${concurrency}, so its dispatch window (${WINDOW_PER_CONCURRENCY} × concurrency) holds the whole backlog: what is measured is how soon the manager hands waiting work to a worker that appeared, not one worker's throughput.`,
          "Dispatch time, per request: from the publication of the instance's registration (its first liveness message; the manager counts it live from then) to the job's arrival at the instance's consumer (prefetch large enough to hold every job, so nothing waits in the broker queue). It includes the lease write, the replicas' liveness poll (250 ms), the claim, the publish and the broker. \"Seen live\" is when each replica's `/metrics` first counted the instance.",
          `Jobs are answered SUCCESS ${ANSWER_DELAY_MS} ms after they arrive. Lost and duplicated are counted from the events exchange: each request must have exactly one terminal event.`,
        ],
      };
    } finally {
      await answerer?.stop();
      await fleet?.stop(false);
      await env.close();
    }
  },
};
