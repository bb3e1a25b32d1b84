import { join } from 'node:path';

/** What `pnpm start` does, read once from the command line and the environment. */
export interface DemoOptions {
  /** `WM_NAMESPACE`: prefix of every exchange and queue, and the PostgreSQL schema. @default 'demo' */
  readonly namespace: string;
  /**
   * `PORT` of the manager's HTTP API. When it is not set and 3000 is taken, a free port is used
   * (and printed); when it is set and taken, the demo stops and says so. @default 3000
   */
  readonly port: number;
  /** Whether `PORT` was given explicitly. */
  readonly portExplicit: boolean;
  /** `WM_CONFIG`: the manager's configuration. @default examples/config/sample.yaml */
  readonly configPath: string;
  /** `--exit`, `DEMO_EXIT=1` or `CI` set: exit with a summary instead of staying up. @default false */
  readonly exit: boolean;
  /** `DEMO_DATA_DIR`: where the sample products are written. @default a new temp directory */
  readonly dataDir: string | undefined;
  /** `DEMO_TIMEOUT_MS`: longest wait for the sample ingest to finish. @default 120000 */
  readonly timeoutMs: number;
  /** `DEMO_VERBOSE=1`: the manager's and the workers' own logs too. @default false */
  readonly verbose: boolean;
}

export const DEFAULT_DEMO_NAMESPACE = 'demo';
export const DEFAULT_DEMO_PORT = 3000;
export const DEFAULT_DEMO_TIMEOUT_MS = 120_000;

const truthy = (value: string | undefined): boolean =>
  value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';

function integer(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  }
  return value;
}

export function demoOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions {
  const unknown = argv.filter((arg) => arg !== '--exit');
  if (unknown.length > 0) {
    throw new Error(`unknown argument(s): ${unknown.join(' ')} (the only option is --exit)`);
  }
  const rawPort = env.PORT?.trim();
  return {
    namespace: env.WM_NAMESPACE?.trim() || DEFAULT_DEMO_NAMESPACE,
    port: rawPort ? integer('PORT', rawPort, 0) : DEFAULT_DEMO_PORT,
    portExplicit: Boolean(rawPort),
    configPath: env.WM_CONFIG?.trim() || join(__dirname, '..', '..', 'config', 'sample.yaml'),
    exit: argv.includes('--exit') || truthy(env.DEMO_EXIT) || truthy(env.CI),
    dataDir: env.DEMO_DATA_DIR?.trim() || undefined,
    timeoutMs: env.DEMO_TIMEOUT_MS
      ? integer('DEMO_TIMEOUT_MS', env.DEMO_TIMEOUT_MS, 1)
      : DEFAULT_DEMO_TIMEOUT_MS,
    verbose: truthy(env.DEMO_VERBOSE),
  };
}
