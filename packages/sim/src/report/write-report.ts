import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../cluster/paths';
import { type ScenarioResult } from '../scenario';
import { type SimOptions } from '../sim-options';

/** Everything one run measured, as written to docs/scale.json. */
export interface SimReport {
  readonly date: string;
  readonly mode: SimOptions['mode'];
  readonly machine: string;
  readonly options: Omit<SimOptions, 'only'> & { only: number[] };
  readonly seconds: number;
  readonly scenarios: ScenarioResult[];
  readonly failed: Array<{ number: number; title: string; error: string }>;
}

/** The Markdown table of rows that share their keys. */
export function markdownTable(rows: ReadonlyArray<Record<string, string | number>>): string {
  const first = rows[0];
  if (!first) return '';
  const keys = Object.keys(first);
  const line = (cells: ReadonlyArray<string | number>): string => `| ${cells.join(' | ')} |`;
  return [
    line(keys),
    line(keys.map(() => '---')),
    ...rows.map((row) => line(keys.map((key) => row[key] ?? ''))),
  ].join('\n');
}

/** The report as Markdown: how to run, what is measured, then each scenario's criteria and figures. */
export function markdownReport(report: SimReport): string {
  const parts: string[] = [
    '# Scale simulation (`pnpm sim`)',
    '',
    '<!-- Written by `pnpm sim` (packages/sim); rerun it rather than editing the figures. -->',
    '',
    'Thousands of simulated worker instances in one process (a few shared broker connections, each',
    'instance publishing its own registration and heartbeats, answering jobs after a delay), 1–4',
    'manager replicas as child processes (`node apps/manager/dist/main.js`), a request load',
    'generator, and the scenarios of issue 18. Each scenario runs in its own namespace and schema',
    'and removes them afterwards.',
    '',
    '```sh',
    'pnpm sim                     # full: 20,000 instances, 5 min per replica count, 10 min runs (~50 min)',
    'pnpm sim -- --short          # ~4 min: 2,000 instances at 2 s, short windows (what CI runs)',
    'pnpm sim -- --only 1 --replicas 2 --instances 5000 --window 60 --no-write',
    '```',
    '',
    'It needs a current build (`pnpm sim` builds first), RabbitMQ and PostgreSQL (`AMQP_URL`,',
    '`DATABASE_URL` or the local defaults). Children log to `.sim-out/`. The full run loads the',
    'machine for most of an hour: run it on a quiet one.',
    '',
    '## What is measured, and how',
    '',
    '- **Broker deliveries** of the shared liveness queue `<ns>.manager.workers` are counted by the',
    '  replicas (`wm_worker_messages_total`, one count per delivery, summed over replicas), since the',
    "  broker's management API is not available everywhere; the publish rate is the fleet's own count.",
    '- **Lease lag**: from a heartbeat leaving the fleet to its lease (`worker_instances.last_seen`,',
    '  the database clock) being written, read every second from the table, plus one',
    "  `WM_LIVENESS_POLL_MS` (250 ms): the longest a replica's view can trail the table.",
    "- **Expiries**: each replica's view is its `wm_live_instances` gauge; a steady run samples it every",
    '  second on every replica, and checks the leases of heartbeating instances in the table.',
    '- **Scale from zero** (3): the waiting signal is `GET /api/v1/scaling/:type` (`waitingRequests`,',
    "  read from the database at each call) polled every 20 ms from the first request's publication;",
    "  dispatch is per request, from the worker instance's registration to the job reaching its consumer.",
    '- **Exactly once** (2–5): counted from `<ns>.events`; terminal events are at least once (outbox), so',
    '  copies of one outcome (same state and attempt) are reported apart from a request ending twice.',
    "- **Pooler and dead tuples** (4): PgBouncer's `SHOW POOLS` every 250 ms (peak server connections);",
    '  `pg_stat_user_tables` of the requests table, judged against three `autovacuum_naptime` rounds.',
    '',
    `## Latest run: ${report.mode} mode, ${report.date}`,
    '',
    `${report.machine}; ${report.options.instances} instances over ${report.options.types} types, heartbeat every ${report.options.heartbeatIntervalMs / 1000} s; ${Math.round(report.seconds)} s in all.`,
  ];
  if (report.mode === 'full') {
    parts.push(
      '',
      'Run once, at the end of the work, on a development machine shared with other builds and test',
      'suites (2 cores): the figures include that noise. The lead reruns the full scenarios on a quiet machine.',
    );
  } else {
    parts.push(
      '',
      'A short run: 2,000 instances at a 2 s heartbeat, short windows, 1,000 requests from zero, 60 s of',
      'replica kills at 100 req/s. It checks the harness and the',
      'correctness criteria (it exits 1 when one fails) and reports the timing targets without failing on them.',
    );
  }
  for (const scenario of report.scenarios) {
    parts.push(
      '',
      `### Scenario ${scenario.number}: ${scenario.title}`,
      '',
      markdownTable(
        scenario.criteria.map((criterion) => ({
          criterion: criterion.name,
          target: criterion.target,
          measured: criterion.measured,
          '':
            criterion.judged === false
              ? 'not judged'
              : criterion.pass
                ? 'pass'
                : criterion.timing
                  ? '**over target**'
                  : '**FAIL**',
        })),
      ),
      '',
      markdownTable(scenario.table),
      '',
      ...scenario.notes.map((note) => `- ${note}`),
    );
  }
  for (const failure of report.failed) {
    parts.push(
      '',
      `### Scenario ${failure.number}: ${failure.title}`,
      '',
      `**Did not complete**: ${failure.error}`,
    );
  }
  parts.push(
    '',
    '## Adding a scenario',
    '',
    'One file under `packages/sim/src/scenarios/` implementing `Scenario`, listed in `scenarios/index.ts`',
    'and its number in `IMPLEMENTED_SCENARIOS` (`sim-options.ts`, with its options and their defaults per',
    'mode). It builds a `SimEnvironment` (namespace, schema, replica environment), starts',
    "`ManagerReplicas` (`start(n)`; `child.signal('SIGKILL')` kills one, `killAndRestart` keeps a kill",
    'schedule), a `SimulatedFleet` with `JobAnswerer`s (workers; `onJob` sees each job arrive), a',
    '`RequestLoad` (`burst`, `steady`, publication times) and an `EventTally` (terminal outcomes per',
    'request, resent copies apart), measures with `measure/*` (`timeUntil`, `PoolSampler` for PgBouncer,',
    '`DeadTupleSampler`), and returns criteria (`timing` for latency targets) and one table of figures.',
    '',
  );
  return parts.join('\n');
}

/** Writes docs/scale.md and docs/scale.json; returns their paths. */
export function writeReport(report: SimReport): string[] {
  const markdown = join(repositoryRoot(), 'docs/scale.md');
  const json = join(repositoryRoot(), 'docs/scale.json');
  writeFileSync(markdown, markdownReport(report));
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  return [markdown, json];
}
