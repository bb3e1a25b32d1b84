import { Client } from 'pg';
import { validateConfig, type ManagerConfig } from '@org/protocol';
import { collectEvents, waitFor, type MessageCollector, type TestNamespace } from '@org/testkit';
import { startManager, type RunningManager } from '../../src/start-manager';
import { type ManagerEnvironment } from '../../src/config/manager-environment';
import { WorkerCatalogue } from '../../src/workers/worker-catalogue.service';
import { TestWorker, type TestWorkerOptions } from './test-worker';

/** A valid configuration from a plain object (fails the test with the issues otherwise). */
export function configOf(input: unknown): ManagerConfig {
  const result = validateConfig(input);
  if (!result.ok) throw result.error;
  return result.value;
}

/** Short timers so tests never wait long. */
export const FAST: Partial<ManagerEnvironment> = {
  heartbeatExpiryMs: 1500,
  sweepIntervalMs: 100,
  configPollMs: 100,
  dispatchLeaseMs: 2000,
  batchWindowMs: 2,
  http: false,
};

/**
 * Starts a manager replica in the test's namespace; it is closed at cleanup. `env` is added to
 * the process environment the manager reads (e.g. `LOG_LEVEL`). @default none
 */
export async function startTestManager(
  ns: TestNamespace,
  config: unknown,
  overrides: Partial<ManagerEnvironment> = {},
  env?: Record<string, string>,
): Promise<RunningManager> {
  const manager = await startManager(
    {
      amqpUrl: ns.amqpUrl,
      databaseUrl: ns.databaseUrl,
      namespace: ns.name,
      config: config === undefined ? undefined : configOf(config),
      ...FAST,
      ...overrides,
    },
    {
      ...(env ? { env: { ...process.env, ...env } } : {}),
      logger: process.env['WM_TEST_LOGS'] ? ['error', 'warn', 'log'] : ['error'],
    },
  );
  ns.defer(() => manager.close());
  return manager;
}

/** Starts a test worker and waits until `managers` consider its type available. */
export async function startTestWorker(
  ns: TestNamespace,
  options: Omit<TestWorkerOptions, 'names' | 'amqpUrl'>,
  managers: readonly RunningManager[] = [],
): Promise<TestWorker> {
  ns.workerTypes.add(options.type);
  const worker = await TestWorker.start({ names: ns.names, amqpUrl: ns.amqpUrl, ...options });
  ns.defer(() => worker.stop());
  await waitFor(
    () => managers.every((manager) => manager.app.get(WorkerCatalogue).isAvailable(options.type)),
    {
      what: `${options.type} available`,
    },
  );
  return worker;
}

/** A pg client on the test's schema, closed at cleanup. */
export async function database(ns: TestNamespace): Promise<Client> {
  const client = new Client({ connectionString: ns.databaseUrl });
  await client.connect();
  await client.query(`SET search_path TO "${ns.name}"`);
  ns.defer(() => client.end());
  return client;
}

export interface StoredRow {
  id: string;
  state: string;
  step: number;
  attempt: number;
  worker_type: string;
  messages: string[];
  input: Buffer;
  worker_id: string | null;
}

export async function rowOf(db: Client, id: string): Promise<StoredRow | undefined> {
  const result = await db.query<StoredRow>(
    'SELECT id, state, step, attempt, worker_type, messages, input, worker_id FROM requests WHERE id = $1',
    [id],
  );
  return result.rows[0];
}

/** A manager under test and what tests observe it by: the namespace's events and its rows. */
export interface ObservedManager {
  readonly manager: RunningManager;
  readonly events: MessageCollector;
  readonly db: Client;
}

/**
 * {@link startTestManager}, then an event collector and a database client on the namespace
 * (the collector binds after the manager declared the events exchange).
 */
export async function startObservedManager(
  ns: TestNamespace,
  config: unknown,
  overrides: Partial<ManagerEnvironment> = {},
): Promise<ObservedManager> {
  const manager = await startTestManager(ns, config, overrides);
  const events = await collectEvents(ns);
  const db = await database(ns);
  return { manager, events, db };
}
