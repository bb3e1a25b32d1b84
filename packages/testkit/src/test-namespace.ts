import { randomBytes } from 'node:crypto';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { Client } from 'pg';
import {
  deleteTopology,
  livenessTopology,
  managerTopology,
  mergeTopology,
  isWorkerType,
  namesFor,
  type Names,
} from '@org/protocol';
import { amqpUrl, databaseUrl } from './services';

/**
 * An isolated slice of the shared broker and database for one test: its own namespace (every
 * exchange and queue name starts with it) and its own PostgreSQL schema of the same name.
 */
export interface TestNamespace {
  /** Namespace and PostgreSQL schema name, e.g. `t_3f9a1c2b`. */
  readonly name: string;
  readonly names: Names;
  /** What managers and workers of the test connect to: one URL, or a comma-separated list (a cluster). */
  readonly amqpUrl: string;
  readonly databaseUrl: string;
  /** A connection for the test's own use (publishing requests, collecting events). */
  readonly connection: ChannelModel;
  /** A plain channel on {@link connection}. */
  readonly channel: Channel;
  /** Worker types whose queues cleanup deletes, besides the fixed topology. */
  readonly workerTypes: Set<string>;
  /** Runs `fn` at cleanup, last registered first. */
  defer(fn: () => unknown): void;
  /** Environment for a manager or worker process running in this namespace. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Deletes the namespace's exchanges, queues and schema, then runs the deferred functions. */
  cleanup(): Promise<void>;
}

export interface TestNamespaceOptions {
  /**
   * The brokers of the test (the nodes of a `RabbitCluster`), in the order managers and
   * workers try them; `amqpUrl` lists them all. The namespace's own connection (requests, events,
   * cleanup) goes to the last one, so stopping the first node, where the others connect first,
   * leaves the test's observer in place. @default [AMQP_URL]
   */
  readonly brokerUrls?: readonly string[];
  /**
   * How long the namespace's own connection may take, TCP and AMQP handshake together, before
   * creating the namespace fails with the reason (a broker that accepts sockets but no longer
   * answers would otherwise hang every test until Jest's hook timeout). @default 20000
   */
  readonly connectTimeoutMs?: number;
}

export async function createTestNamespace(
  prefix = 't',
  options: TestNamespaceOptions = {},
): Promise<TestNamespace> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const names = namesFor(name);
  const brokers = options.brokerUrls ?? [amqpUrl()];
  const own = brokers.at(-1);
  if (own === undefined) throw new Error('createTestNamespace: brokerUrls is empty');
  const connection = await connectWithin(own, options.connectTimeoutMs ?? 20_000);
  const channel = await connection.createChannel();
  // A failed passive check or a refused declaration closes the channel; tests that expect one
  // create their own channel, so an error here is a bug worth seeing but not a crash.
  channel.on('error', () => undefined);
  const deferred: Array<() => unknown> = [];
  const workerTypes = new Set<string>();
  let cleaned = false;
  return {
    name,
    names,
    amqpUrl: brokers.join(','),
    databaseUrl: databaseUrl(),
    connection,
    channel,
    workerTypes,
    defer: (fn) => deferred.push(fn),
    env: (extra = {}) => ({
      ...process.env,
      AMQP_URL: brokers.join(','),
      DATABASE_URL: databaseUrl(),
      WM_NAMESPACE: name,
      ...extra,
    }),
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      for (const fn of deferred.reverse()) await fn();
      const cleanupChannel = await connection.createChannel();
      cleanupChannel.on('error', () => undefined);
      // One database connection: the types the schema knew, then the schema itself.
      const client = new Client({ connectionString: databaseUrl() });
      await client.connect();
      try {
        for (const type of await workerTypesOfSchema(client, name)) workerTypes.add(type);
        await deleteTopology(
          cleanupChannel,
          mergeTopology(managerTopology(names, workerTypes), livenessTopology(names)),
        ).catch(() => undefined);
        await connection.close().catch(() => undefined);
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

async function connectWithin(url: string, timeoutMs: number): Promise<ChannelModel> {
  const connecting = connect(url);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // A handshake that completes after all is closed, not leaked.
      connecting.then((late) => late.close()).catch(() => undefined);
      reject(
        new Error(
          `RabbitMQ at ${new URL(url).host} did not complete the AMQP handshake within ${timeoutMs} ms: ` +
            'the broker accepts connections but does not answer (check `rabbitmqctl status`)',
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([connecting, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The worker types a manager of the namespace knew (instances, registrations, requests, its
 * routing configuration): their queues go with the namespace even when the test did not list them
 * in `workerTypes`. Without this every test run left dozens of quorum queues on the broker. A
 * schema without a manager's tables (no manager ran) gives none.
 */
async function workerTypesOfSchema(client: Client, schema: string): Promise<string[]> {
  const found = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = $1
       AND table_name IN ('worker_instances', 'worker_registrations', 'requests', 'manager_config')`,
    [schema],
  );
  const tables = new Set(found.rows.map((row) => row.table_name));
  const selects = [
    tables.has('worker_instances') ? `SELECT type FROM "${schema}".worker_instances` : undefined,
    tables.has('worker_registrations')
      ? `SELECT type FROM "${schema}".worker_registrations`
      : undefined,
    tables.has('requests') ? `SELECT worker_type AS type FROM "${schema}".requests` : undefined,
    // The routing configuration: the manager declares the queue of every configured type.
    tables.has('manager_config')
      ? `SELECT w->>'type' AS type FROM "${schema}".manager_config,
           jsonb_array_elements(CASE WHEN jsonb_typeof(document->'workers') = 'array'
                                     THEN document->'workers' ELSE '[]'::jsonb END) AS w`
      : undefined,
  ].filter((select): select is string => select !== undefined);
  if (selects.length === 0) return [];
  const { rows } = await client.query<{ type: string }>(selects.join(' UNION '));
  return rows
    .map((row) => row.type)
    .filter((type): type is string => typeof type === 'string' && isWorkerType(type));
}

/**
 * Jest helper: a fresh namespace before each test, cleaned up after it.
 *
 * ```ts
 * const ns = useTestNamespace();
 * it('…', async () => { await ns().channel.publish(…) });
 * ```
 */
export function useTestNamespace(
  prefix = 't',
  options: TestNamespaceOptions = {},
): () => TestNamespace {
  let current: TestNamespace | undefined;
  beforeEach(async () => {
    current = await createTestNamespace(prefix, options);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useTestNamespace(): the namespace exists only inside a test');
    return current;
  };
}
