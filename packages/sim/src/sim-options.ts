/** What one `pnpm sim` run does; every field has a default per mode. */
export interface SimOptions {
  /** `short`: about 4 minutes, 2,000 instances (CI); `full`: the sizes. */
  readonly mode: 'short' | 'full';
  /** Scenario numbers to run (issue 18's numbering). @default every implemented one */
  readonly only: ReadonlySet<number>;
  /** Simulated worker instances. @default 20000 full, 2000 short */
  readonly instances: number;
  /** Worker types they spread over. @default 20 */
  readonly types: number;
  /** Heartbeat interval of every simulated instance. @default 10000 full, 2000 short */
  readonly heartbeatIntervalMs: number;
  /** Manager replica counts scenario 1 runs against, in turn. @default [1, 2, 4] */
  readonly replicaCounts: readonly number[];
  /** Measured window of scenario 1 per replica count. @default 300 s full, 10 s short */
  readonly rateWindowMs: number;
  /** Steady run of scenario 2 before the kill. @default 600 s full, 15 s short */
  readonly steadyMs: number;
  /** Instances scenario 2 kills. @default 100 (10 in short mode) */
  readonly kill: number;
  /** Requests scenario 3 queues while no worker exists. @default 10000 full, 1000 short */
  readonly backlog: number;
  /** Request rate of scenario 4, per second. @default 300 full, 100 short */
  readonly killRate: number;
  /** Load duration of scenario 4. @default 600 s full, 60 s short */
  readonly killRunMs: number;
  /** Scenario 4 SIGKILLs a replica (and starts a new one) this often. @default 30 s full, 15 s short */
  readonly killEveryMs: number;
  /** Rewrite docs/scale.md and docs/scale.json. @default true (false with --no-write) */
  readonly write: boolean;
}

export const IMPLEMENTED_SCENARIOS = [1, 2, 3, 4, 5] as const;

export const USAGE = `pnpm sim [-- options]

  --short               about 4 minutes, 2,000 instances at a 2 s heartbeat (what CI runs)
  --only 1,2,5          scenarios to run (default: all implemented: ${IMPLEMENTED_SCENARIOS.join(', ')})
  --instances N         simulated worker instances (default 20000; 2000 with --short)
  --types N             worker types they spread over (default 20)
  --interval MS         heartbeat interval (default 10000; 2000 with --short)
  --replicas 1,2,4      replica counts for scenario 1 (default 1,2,4)
  --window S            scenario 1 measured window per replica count (default 300; 10 with --short)
  --steady S            scenario 2 steady run before the kill (default 600; 15 with --short)
  --kill N              instances scenario 2 kills (default 100; 10 with --short)
  --backlog N           requests scenario 3 queues with no worker (default 10000; 1000 with --short)
  --rate N              scenario 4 requests per second (default 300; 100 with --short)
  --duration S          scenario 4 load duration (default 600; 60 with --short)
  --kill-every S        scenario 4 SIGKILLs a replica this often (default 30; 15 with --short)
  --no-write            print the report, leave docs/scale.{md,json} alone
`;

/** Parses the command line; throws with the reason on a bad option. */
export function parseSimOptions(args: readonly string[]): SimOptions | 'help' {
  if (args.includes('--help') || args.includes('-h')) return 'help';
  const short = args.includes('--short');
  const value = (name: string): string | undefined => {
    const index = args.indexOf(name);
    if (index < 0) return undefined;
    const next = args[index + 1];
    if (next === undefined || next.startsWith('--')) throw new Error(`${name} needs a value`);
    return next;
  };
  const int = (name: string, fallback: number, min: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
    return parsed;
  };
  const list = (name: string, fallback: readonly number[]): number[] => {
    const raw = value(name);
    if (raw === undefined) return [...fallback];
    const parsed = raw.split(',').map(Number);
    if (parsed.some((item) => !Number.isInteger(item) || item < 1))
      throw new Error(`${name} must list positive integers, got "${raw}"`);
    return parsed;
  };
  const known = new Set([
    '--short',
    '--only',
    '--instances',
    '--types',
    '--interval',
    '--replicas',
    '--window',
    '--steady',
    '--kill',
    '--backlog',
    '--rate',
    '--duration',
    '--kill-every',
    '--no-write',
  ]);
  for (const arg of args) {
    if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  const only = list('--only', IMPLEMENTED_SCENARIOS);
  for (const scenario of only) {
    if (!(IMPLEMENTED_SCENARIOS as readonly number[]).includes(scenario))
      throw new Error(
        `scenario ${scenario} is not implemented (${IMPLEMENTED_SCENARIOS.join(', ')})`,
      );
  }
  const replicaCounts = list('--replicas', [1, 2, 4]);
  if (replicaCounts.some((count) => count > 4)) throw new Error('--replicas: at most 4 replicas');
  return {
    mode: short ? 'short' : 'full',
    only: new Set(only),
    instances: int('--instances', short ? 2000 : 20_000, 1),
    types: int('--types', 20, 1),
    heartbeatIntervalMs: int('--interval', short ? 2000 : 10_000, 100),
    replicaCounts,
    rateWindowMs: int('--window', short ? 10 : 300, 1) * 1000,
    steadyMs: int('--steady', short ? 15 : 600, 1) * 1000,
    kill: int('--kill', short ? 10 : 100, 1),
    backlog: int('--backlog', short ? 1000 : 10_000, 1),
    killRate: int('--rate', short ? 100 : 300, 1),
    killRunMs: int('--duration', short ? 60 : 600, 1) * 1000,
    killEveryMs: int('--kill-every', short ? 15 : 30, 1) * 1000,
    write: !args.includes('--no-write'),
  };
}
