import { parseArgs } from 'node:util';

export const SCENARIO_NAMES = [
  'raw',
  'bullmq',
  'sdk',
  'sdk-batch',
  'system',
  'workflow',
  'graph',
  'latency',
  'backlog',
  'priority',
  'growth',
  'dashboard',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchOptions {
  /** `quick` keeps the whole run under two minutes; `full` runs the sizes. @default 'quick' */
  readonly mode: 'quick' | 'full';
  /** Requests (or jobs) per throughput run. @default 3000 quick, 30000 full */
  readonly n: number;
  /** Worker concurrency, consumer prefetch and BullMQ worker concurrency alike. @default 32 */
  readonly concurrency: number;
  readonly only: ReadonlySet<ScenarioName>;
  /** Requests submitted with no worker alive. @default 10000 quick, 200000 full */
  readonly backlog: number;
  /** Low-priority requests waiting ahead of the high-priority ones in the priority run. @default 5000 quick, 50000 full */
  readonly priorityBacklog: number;
  /** Rows in the table for the small and the large growth run. @default [10000, 100000] quick, [10000, 1000000] full */
  readonly growthRows: readonly [number, number];
  /** Rows in the table behind the dashboard's list. @default 100000 quick, 1000000 full */
  readonly dashboardRows: number;
  /** Seconds per offered-rate latency run. @default 4 quick, 20 full */
  readonly latencySeconds: number;
  /** Write `docs/benchmarks.{json,md,svg}`. @default true */
  readonly write: boolean;
}

export const USAGE = `Usage: pnpm bench [--quick | --full] [--n <requests>] [--concurrency <c>]
                  [--only ${SCENARIO_NAMES.join(',')}] [--backlog <requests>]
                  [--priority-backlog <requests>]
                  [--growth-rows <small>,<large>] [--latency-seconds <s>]
                  [--dashboard-rows <rows>] [--no-write]

  --quick            small sizes, whole run under two minutes (default)
  --full             the issue's sizes: 200,000-request backlog, 10k vs 1M rows
  --n                requests per throughput run (quick 3000, full 30000)
  --concurrency      worker concurrency = consumer prefetch = BullMQ concurrency (32)
  --only             comma-separated scenarios to run (default: all)
  --backlog          requests submitted with no worker alive (quick 10000, full 200000)
  --priority-backlog low-priority requests waiting ahead of 100 high-priority ones
                     (quick 5000, full 50000)
  --dashboard-rows   rows in the table behind the dashboard's list (quick 100000, full 1000000)
  --no-write         print the table only; leave docs/benchmarks.* alone`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      n: { type: 'string' },
      concurrency: { type: 'string' },
      only: { type: 'string' },
      backlog: { type: 'string' },
      'priority-backlog': { type: 'string' },
      'growth-rows': { type: 'string' },
      'latency-seconds': { type: 'string' },
      'dashboard-rows': { type: 'string' },
      'no-write': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.quick && values.full)
    throw new Error('--quick and --full exclude each other: pick one');
  const full = values.full === true;
  const only = values.only === undefined ? new Set(SCENARIO_NAMES) : parseOnly(values.only);
  const growth = values['growth-rows']
    ?.split(',')
    .map((part) => positiveInt('--growth-rows', part));
  if (growth && growth.length !== 2)
    throw new Error('--growth-rows takes two numbers: <small>,<large>');
  return {
    mode: full ? 'full' : 'quick',
    n: values.n === undefined ? (full ? 30_000 : 3_000) : positiveInt('--n', values.n),
    concurrency:
      values.concurrency === undefined ? 32 : positiveInt('--concurrency', values.concurrency),
    only,
    backlog:
      values.backlog === undefined
        ? full
          ? 200_000
          : 10_000
        : positiveInt('--backlog', values.backlog),
    priorityBacklog:
      values['priority-backlog'] === undefined
        ? full
          ? 50_000
          : 5_000
        : positiveInt('--priority-backlog', values['priority-backlog']),
    growthRows: growth ? [growth[0]!, growth[1]!] : full ? [10_000, 1_000_000] : [10_000, 100_000],
    latencySeconds:
      values['latency-seconds'] === undefined
        ? full
          ? 20
          : 4
        : positiveInt('--latency-seconds', values['latency-seconds']),
    dashboardRows:
      values['dashboard-rows'] === undefined
        ? full
          ? 1_000_000
          : 100_000
        : positiveInt('--dashboard-rows', values['dashboard-rows']),
    write: values['no-write'] !== true,
  };
}

function parseOnly(list: string): Set<ScenarioName> {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new Error(
        `--only: unknown scenario "${name}"; choose from ${SCENARIO_NAMES.join(', ')}`,
      );
    }
  }
  return new Set(names as ScenarioName[]);
}

function positiveInt(flag: string, text: string): number {
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${flag}: "${text}" is not a positive integer`);
  return value;
}
