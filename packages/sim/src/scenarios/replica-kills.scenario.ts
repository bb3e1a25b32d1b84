import { databaseUrl, PgBouncer } from '@org/testkit';
import { killAndRestart, type RestartRecord } from '../cluster/replica-restarts';
import { JobAnswerer } from '../fleet/job-answerer';
import { SimulatedFleet } from '../fleet/simulated-fleet';
import { EventTally } from '../load/event-tally';
import { RequestLoad } from '../load/request-load';
import { DeadTupleSampler, judgeDeadTuples } from '../measure/dead-tuples';
import { PoolSampler } from '../measure/pool-sampler';
import { VacuumStandIn } from '../measure/vacuum-stand-in';
import { type Criterion, type Scenario } from '../scenario';
import { contentTypeOf, SimEnvironment, simTypes, until } from '../sim-environment';

const REPLICAS = 3;
/** `WM_DB_POOL_SIZE` of each replica: 3 × 10 client connections to the pooler, more mid-restart. */
const REPLICA_POOL_SIZE = 10;
/** What the issue allows through the pooler. */
const MAX_SERVER_CONNECTIONS = 30;
/**
 * PgBouncer's own cap (`default_pool_size`, `max_db_connections`), set above the target so that
 * the figure measured is what the replicas need, not a limit the pooler enforces.
 */
const POOLER_POOL_SIZE = 50;
/** A request may stay non-terminal this long at most. */
const MAX_OPEN_MS = 60_000;
const TYPES = simTypes(4);
/** Simulated instances per type, and what each advertises. */
const INSTANCES_PER_TYPE = 5;
const CONCURRENCY = 16;
const ANSWER_DELAY_MS = 50;

/**
 * Scenario 4: three replicas behind PgBouncer in transaction mode under a steady load, one of
 * them SIGKILLed every period and replaced. Every request must end exactly once and within 60 s
 * of its publication, the pooler must hold at most 30 server connections, and the requests
 * table's dead tuples must stay bounded.
 */
export const replicaKillsScenario: Scenario = {
  number: 4,
  title: '3 replicas behind PgBouncer under load, one SIGKILLed and restarted every period',
  async run({ options, log }) {
    const bouncer = await PgBouncer.start({ poolSize: POOLER_POOL_SIZE });
    const interval = options.heartbeatIntervalMs;
    let env: SimEnvironment | undefined;
    let fleet: SimulatedFleet | undefined;
    const answerers: JobAnswerer[] = [];
    try {
      env = await SimEnvironment.create({
        name: 's4',
        types: TYPES,
        heartbeatExpiryMs: 3 * interval,
        env: {
          DATABASE_URL: bouncer.url(),
          // Migrations take a session-level advisory lock: a direct connection.
          DATABASE_DIRECT_URL: databaseUrl(),
          WM_DATABASE_POOLER: 'transaction',
          WM_DB_POOL_SIZE: String(REPLICA_POOL_SIZE),
        },
      });
      const live = await env.replicas.start(REPLICAS);
      await env.useSchema();
      fleet = await SimulatedFleet.start({
        names: env.ns.names,
        amqpUrl: env.ns.amqpUrl,
        instances: INSTANCES_PER_TYPE * TYPES.length,
        types: TYPES,
        heartbeatIntervalMs: interval,
        concurrency: CONCURRENCY,
      });
      const size = fleet.size;
      await until(
        async () =>
          (await Promise.all(live.map((replica) => replica.liveInstances()))).every(
            (count) => count === size,
          ),
        `every replica seeing ${size} live instances`,
        120_000,
      );
      const answerChannel = await env.requester.createConfirmChannel();
      for (const type of TYPES) {
        answerers.push(
          await JobAnswerer.start(answerChannel, {
            names: env.ns.names,
            type,
            instanceIds: fleet.ids.filter((_, index) => fleet!.typeOf[index] === type),
            delayMs: ANSWER_DELAY_MS,
            prefetch: 2 * INSTANCES_PER_TYPE * CONCURRENCY,
          }),
        );
      }
      const tally = await EventTally.start(await env.requester.createChannel(), env.ns.names);
      const pools = new PoolSampler(bouncer);
      // One vacuum round: the server's autovacuum_naptime, or, on a server without autovacuum
      // (this project's CI), a stand-in's period, short enough for a short run to be judged.
      const naptimeMs = await DeadTupleSampler.naptimeMs(env.db);
      const autovacuum = await VacuumStandIn.autovacuumRuns(env.db);
      const roundMs = autovacuum ? naptimeMs : Math.min(naptimeMs, options.killRunMs / 4);
      const standIn = autovacuum
        ? undefined
        : await VacuumStandIn.start(env.ns.databaseUrl, env.ns.name, 'requests', roundMs);
      const deadTuples = new DeadTupleSampler(
        env.db,
        env.ns.name,
        'requests',
        options.mode === 'short' ? 2000 : 5000,
      );
      pools.start();
      deadTuples.start();

      const load = new RequestLoad(env.requesterChannel, env.ns.names);
      const rate = options.killRate;
      log(
        `${rate} req/s for ${options.killRunMs / 1000} s, a replica SIGKILLed every ${options.killEveryMs / 1000} s`,
      );
      const loadStart = Date.now();
      const [, restarts] = await Promise.all([
        load.steady(TYPES.map(contentTypeOf), rate, options.killRunMs),
        killAndRestart(env.replicas, live, options.killEveryMs, loadStart + options.killRunMs, log),
      ]);
      const loadSeconds = (Date.now() - loadStart) / 1000;
      const total = load.sent.length;
      const lastSentAt = load.sentAt[total - 1] ?? Date.now();
      // Whatever is still open a minute after its publication already misses the criterion; the
      // wait goes on a little longer so that "lost" means lost, not late.
      await until(
        () => tally.ended(load.sent) === total || Date.now() > lastSentAt + 2 * MAX_OPEN_MS,
        'every request to end',
        3 * MAX_OPEN_MS,
      );
      await pools.stop();
      await deadTuples.stop();
      await standIn?.stop();
      const outcomes = tally.outcomes(load.sent);
      const openMs = load.sent.map(
        (id, index) => (tally.endedAt.get(id) ?? Date.now()) - load.sentAt[index]!,
      );
      const tooLong = openMs.filter((ms) => ms > MAX_OPEN_MS).length;
      // A reduce, not Math.max(...openMs): 180,000 arguments overflow the call stack.
      const longestOpenMs = openMs.reduce((longest, ms) => Math.max(longest, ms), 0);
      await tally.close();
      const dead = judgeDeadTuples(deadTuples.samples, 3 * roundMs);
      const samples = deadTuples.samples;
      const autovacuums =
        (samples[samples.length - 1]?.autovacuums ?? 0) - (samples[0]?.autovacuums ?? 0);
      const oldestSnapshot = samples.reduce(
        (oldest, sample) => Math.max(oldest, sample.oldestSnapshotSeconds),
        0,
      );
      const problems = bouncer.problems();

      const criteria: Criterion[] = [
        {
          name: `${total} requests over ${restarts.length} SIGKILLs: terminal exactly once`,
          target: 'each SUCCESS once (one outcome; resent copies of it counted apart)',
          measured: `${outcomes.endedOnce} / ${total}: ${outcomes.missing} lost, ${outcomes.endedTwice} ended twice, ${outcomes.otherState} not SUCCESS`,
          pass: outcomes.endedOnce === total && outcomes.endedTwice === 0,
        },
        {
          name: 'requests non-terminal for more than 60 s',
          target: '0',
          measured: `${tooLong} (longest ${(longestOpenMs / 1000).toFixed(1)} s)`,
          // Not a timing target: a job lost with a replica is republished after its dispatch
          // lease (10 s), so a minute only passes when something is stranded.
          pass: tooLong === 0,
        },
        {
          name: 'server connections through the pooler (peak)',
          target: `≤ ${MAX_SERVER_CONNECTIONS}`,
          measured: `${pools.peakServers} (${pools.peakClients} clients at most, ${pools.samples} samples)`,
          pass: pools.samples > 0 && pools.peakServers <= MAX_SERVER_CONNECTIONS,
        },
        {
          name: 'dead tuples of the requests table bounded',
          target: `last sample ≤ row versions made dead in the last ${dead.windowMs / 1000} s (3 vacuum rounds)`,
          measured: dead.judged
            ? `max ${dead.max}, last ${dead.last} ${dead.pass ? '≤' : '>'} ${dead.producedInWindow ?? 0}`
            : `max ${dead.max}, last ${dead.last}: not judged, the run is shorter than ${dead.windowMs / 1000} s`,
          pass: dead.pass,
          judged: dead.judged,
        },
      ];
      return {
        criteria,
        table: [
          {
            replicas: REPLICAS,
            'req/s': rate,
            'load s': Math.round(loadSeconds),
            requests: total,
            SIGKILLs: restarts.length,
            'restart ready s (max)': restartFigure(restarts),
            'ended once': outcomes.endedOnce,
            lost: outcomes.missing,
            'ended twice': outcomes.endedTwice,
            'terminal events sent twice': outcomes.resent,
            'longest open s': (longestOpenMs / 1000).toFixed(1),
            'pooler servers (peak)': pools.peakServers,
            'pooler clients (peak)': pools.peakClients,
            'pooler warnings': problems.length,
            'dead tuples max': dead.max,
            'dead tuples last': dead.last,
            'vacuums (autovacuum / stand-in)': `${autovacuums} / ${standIn ? standIn.runs : 'none'}`,
          },
        ],
        notes: [
          `${REPLICAS} replicas (\`WM_DB_POOL_SIZE\` ${REPLICA_POOL_SIZE}) reach PostgreSQL through a real PgBouncer in transaction mode (\`WM_DATABASE_POOLER=transaction\`; migrations over \`DATABASE_DIRECT_URL\`); its own cap is ${POOLER_POOL_SIZE} server connections, above the target, so the peak measured (\`SHOW POOLS\` every 250 ms) is what the replicas used. ${size} simulated instances over ${TYPES.length} types (concurrency ${CONCURRENCY}) answer SUCCESS after ${ANSWER_DELAY_MS} ms.`,
          `Every ${options.killEveryMs / 1000} s the longest-running replica gets SIGKILL and a new one starts at once (the next kill waits for it to be ready). Restarts: ${restarts.map((record) => `${record.killed} → ${record.replacement} ${(record.readyAfterMs / 1000).toFixed(1)} s`).join('; ') || 'none'}.`,
          'Terminal exactly once, counted from the events exchange: every request must reach one terminal outcome (state and attempt). Terminal events are at least once by design (an outbox: a replica killed between publishing an event and deleting its outbox row sends it again, docs/reliability.md); such copies are counted as "sent twice", while two different outcomes would be a request ending twice.',
          `Non-terminal time: from a request's publication to its first terminal event reaching the sim. Dead tuples: \`pg_stat_user_tables.n_dead_tup\` of \`${env.ns.name}.requests\` every ${options.mode === 'short' ? 2 : 5} s (a row is deleted when it ends, so every request leaves dead versions); bounded means the last sample holds no more than the table made dead (\`n_tup_upd + n_tup_del\`) in the last three vacuum rounds (${roundMs / 1000} s each): a sawtooth passes, growth that nothing reclaims fails once the run is longer than that. The longest snapshot any session of the database held meanwhile was ${oldestSnapshot.toFixed(0)} s (what keeps vacuum from reclaiming).`,
          autovacuum
            ? `The server's autovacuum ran; one round is its \`autovacuum_naptime\` (${naptimeMs / 1000} s).`
            : `This server runs with \`autovacuum = off\`: the sim stood in for it, \`VACUUM\`ing the table every ${roundMs / 1000} s (${standIn?.runs ?? 0} runs, ${standIn?.failures ?? 0} failed) on a direct connection, so the verdict says whether vacuum can reclaim what the replicas leave (no snapshot held open through the pooler, none by a killed replica), at a default server's pace or faster.`,
          ...(problems.length > 0
            ? [`PgBouncer warnings (first 3): ${problems.slice(0, 3).join(' | ')}`]
            : []),
        ],
      };
    } finally {
      for (const answerer of answerers) await answerer.stop();
      await fleet?.stop(false);
      await env?.close();
      await bouncer.stop();
    }
  },
};

function restartFigure(restarts: readonly RestartRecord[]): string {
  return restarts.length === 0
    ? ''
    : (Math.max(...restarts.map((record) => record.readyAfterMs)) / 1000).toFixed(1);
}
