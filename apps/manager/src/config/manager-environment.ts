import { randomBytes } from 'node:crypto';
import {
  DEFAULT_DEDUP_RETENTION_MS,
  DEFAULT_MAX_INFLIGHT_BYTES,
  DEFAULT_HEARTBEAT_EXPIRY_MS,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_NAMESPACE,
  NAMESPACE_PATTERN,
  type ManagerConfig,
  type ValidationIssue,
} from '@org/protocol';
import { parseBrokerUrls } from './broker-urls';

/** Documented local defaults (design §3). */
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_PORT = 3000;

/**
 * Everything a manager replica is configured with, validated once at boot. The first block is the
 * operator interface of design §3; the tuning block has safe defaults and exists so tests,
 * the demo and the benchmark can run a replica with shorter timers.
 */
export interface ManagerEnvironment {
  /**
   * `AMQP_URL`: one broker URL, or several comma-separated (the nodes of a RabbitMQ cluster), tried
   * in turn: the first at start, the next one whenever the connection is lost or refused.
   * @default 'amqp://guest:guest@127.0.0.1:5672'
   */
  readonly amqpUrl: string;
  /** `DATABASE_URL`: the connection pool of the hot paths; may point at a transaction pooler (see `databasePooler`). @default 'postgres://postgres@127.0.0.1:5432/postgres' */
  readonly databaseUrl: string;
  /**
   * `DATABASE_DIRECT_URL`: a direct PostgreSQL connection (never through a transaction pooler) for
   * what needs a session: migrations and their advisory lock. @default DATABASE_URL
   */
  readonly databaseDirectUrl: string;
  /**
   * `WM_DATABASE_POOLER`: `transaction` when `DATABASE_URL` goes through a pooler in transaction
   * mode (PgBouncer `pool_mode = transaction`, CloudNativePG `Pooler`): statements are then sent
   * unnamed, since a named statement prepared on one server connection does not exist on the next.
   * `none` (a direct connection, or session pooling) keeps named statements, planned once per
   * connection. @default 'none'
   */
  readonly databasePooler: DatabasePooler;
  /** `WM_NAMESPACE`: prefix of every exchange and queue, and the PostgreSQL schema. @default 'wm' */
  readonly namespace: string;
  /** `WM_CONFIG`: path of the YAML configuration; applied at start when it differs from the stored one. @default none (use the stored configuration) */
  readonly configPath: string | undefined;
  /** In-process alternative to `configPath` (tests, demo). @default none */
  readonly config: ManagerConfig | undefined;
  /** `PORT` of the HTTP server; 0 picks a free port. @default 3000 */
  readonly port: number;
  /** `WM_API_KEYS`, comma-separated (the REST layer interprets them). @default [] (auth off) */
  readonly apiKeys: readonly string[];
  /** `WM_HEARTBEAT_EXPIRY_MS`: an instance not heard from for this long is gone. @default 30000 */
  readonly heartbeatExpiryMs: number;
  /** `WM_MAX_PAYLOAD_BYTES`: larger requests are answered SKIPPED, larger outputs end ERROR. @default 1048576 */
  readonly maxPayloadBytes: number;
  /**
   * `WM_MAX_BATCH_BYTES`: the largest batch frame (design 5.2) the manager reads or writes; a
   * larger request or response batch is parked whole with its reason, job and event batches are
   * split below it. @default 8388608 (8 MiB)
   */
  readonly maxBatchBytes: number;
  /**
   * `WM_MAX_INFLIGHT_BYTES`: payload bytes a replica holds in memory at once across intake
   * batches, claims, the outbox and its publishers (design 5.1). @default 33554432 (32 MiB)
   */
  readonly maxInflightBytes: number;
  /** `WM_DEDUP_RETENTION_MS`: how long a finished request's id is remembered. @default 86400000 (24 h) */
  readonly dedupRetentionMs: number;

  /**
   * `WM_LIVENESS_POLL_MS`: how often a replica reads the worker leases (one aggregate per type)
   * and registration revisions from PostgreSQL. A type's availability changes on every replica
   * within this period of the database write. @default 250
   */
  readonly livenessPollMs: number;
  /** `WM_REPLICA_ID`: this replica's id (broker connection name, logs). @default random */
  readonly replicaId: string;
  /** `WM_DISPATCH_LEASE_MS`: how long a recorded job (or outbox event) may stay unconfirmed before any replica publishes it again. @default 10000 */
  readonly dispatchLeaseMs: number;
  /**
   * `WM_DISPATCH_HORIZON_MS`: for jobs shorter than the dispatch round trip, a worker type's
   * window widens from twice its live concurrency to the jobs it answers in this time (measured
   * by each replica over the last second), so its workers never idle between round trips; it is
   * also about the longest a higher-priority request then waits behind jobs already sent. 0
   * keeps the window at twice the concurrency. @default 1000
   */
  readonly dispatchHorizonMs: number;
  /**
   * `WM_DISPATCHED_AFTER_MS`: a job confirmed by the broker and still unanswered after this is
   * recorded DISPATCHED and its requester told GRANTED; one answered sooner goes straight to its
   * outcome, sparing a row write; when that answer ends the request, its requester hears the
   * outcome and no GRANTED (lean events, design 5.3). A replica that dies meanwhile leaves the
   * job to the lease sweep, which sends it again. 0 records every job at its confirm and sends
   * every job's GRANTED, as v1 did.
   * @default 1000
   */
  readonly dispatchedAfterMs: number;
  /** `WM_SWEEP_INTERVAL_MS`: period of the lease, waiting, retry, timeout and outbox sweeps. @default 1000 */
  readonly sweepIntervalMs: number;
  /**
   * `WM_VACUUM_INTERVAL_MS`: how often the manager vacuums its tables that hold many dead rows
   * (at least 5,000 and a tenth of their live rows), for servers whose autovacuum is off or lags.
   * 0 leaves it to autovacuum. @default 5000
   */
  readonly vacuumIntervalMs: number;
  /** `WM_CONFIG_POLL_MS`: how often a replica looks for a configuration changed by another. @default 2000 */
  readonly configPollMs: number;
  /** `WM_BATCH_SIZE`: messages per intake/response transaction. @default 200 */
  readonly batchSize: number;
  /** `WM_BATCH_WINDOW_MS`: longest wait to fill a batch. @default 5 */
  readonly batchWindowMs: number;
  /** `WM_PREFETCH`: unacknowledged messages per consumer. @default 500 */
  readonly prefetch: number;
  /** `WM_DB_POOL_SIZE`: PostgreSQL connections of this replica. @default 10 */
  readonly databasePoolSize: number;
  /** Listen for HTTP (false for tests that only need the message flow). @default true */
  readonly http: boolean;

  /** `WM_WEBHOOK_SECRET`: signs webhook calls of requests not submitted with a key of their own secret. @default none (calls without a secret are not sent) */
  readonly webhookSecret: string | undefined;
  /** `WM_WEBHOOK_KEY_SECRETS`: `apiKeyName:secret,…`, the secret signing the webhooks of requests submitted with that API key. @default {} */
  readonly webhookKeySecrets: Readonly<Record<string, string>>;
  /**
   * `WM_WEBHOOK_ALLOW_PRIVATE`: which loopback, private or link-local addresses webhooks may call:
   * `true` (all of them), `false`, or comma-separated CIDR ranges (`10.1.0.0/16,127.0.0.1/32`).
   * @default false (none: only public addresses)
   */
  readonly webhookAllowPrivate: readonly string[];
  /** `WM_WEBHOOK_TIMEOUT_MS`: longest one webhook call may take, connection to last byte. @default 10000 */
  readonly webhookTimeoutMs: number;
  /** `WM_WEBHOOK_MAX_RESPONSE_BYTES`: a longer response body is cut off (the call counts as failed). @default 65536 */
  readonly webhookMaxResponseBytes: number;
  /** `WM_WEBHOOK_RETRY_FOR_MS`: how long a delivery is retried before it is given up. @default 86400000 (24 h) */
  readonly webhookRetryForMs: number;
  /** `WM_WEBHOOK_BACKOFF_MS`: the first retry's delay; it doubles per attempt, with jitter. @default 1000 */
  readonly webhookBackoffMs: number;
  /** `WM_WEBHOOK_MAX_BACKOFF_MS`: the longest delay between two attempts. @default 300000 */
  readonly webhookMaxBackoffMs: number;
  /** `WM_WEBHOOK_POLL_MS`: how often a replica looks for due deliveries. @default 500 */
  readonly webhookPollMs: number;
}

/** What sits between the manager and PostgreSQL on `DATABASE_URL` (`WM_DATABASE_POOLER`). */
export type DatabasePooler = 'none' | 'transaction';
const DATABASE_POOLERS: readonly DatabasePooler[] = ['none', 'transaction'];

/** Thrown when the environment cannot be used; lists every problem. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(
      `invalid manager environment:\n${issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`,
    );
  }
}

type Source = Readonly<Record<string, string | undefined>>;

/** Reads and validates the environment (`process.env` by default), applying `overrides` last. */
export function loadEnvironment(
  source: Source = process.env,
  overrides: Partial<ManagerEnvironment> = {},
): ManagerEnvironment {
  const issues: ValidationIssue[] = [];
  const text = (name: string, fallback: string): string => {
    const value = source[name];
    return value === undefined || value.trim() === '' ? fallback : value.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = source[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      issues.push({
        path: name,
        message: `must be an integer between ${min} and ${max}, got "${raw}"`,
      });
      return fallback;
    }
    return value;
  };
  const url = (name: string, fallback: string, protocols: readonly string[]): string => {
    const value = text(name, fallback);
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        issues.push({
          path: name,
          message: `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`,
        });
      }
    } catch {
      issues.push({ path: name, message: 'is not a URL' });
    }
    return value;
  };
  const pooler = (name: string): DatabasePooler => {
    const value = text(name, 'none');
    const known = DATABASE_POOLERS.find((candidate) => candidate === value);
    if (known) return known;
    issues.push({
      path: name,
      message: `must be ${DATABASE_POOLERS.join(' or ')}, got "${value}"`,
    });
    return 'none';
  };
  const privateRanges = (name: string): string[] => {
    const value = text(name, 'false').toLowerCase();
    if (value === 'true') return ['0.0.0.0/0', '::/0'];
    if (value === 'false') return [];
    const ranges = value.split(',').map((part) => part.trim());
    const bad = ranges.filter((range) => !/^[0-9a-f.:]+\/\d{1,3}$/.test(range));
    if (bad.length > 0) {
      issues.push({
        path: name,
        message: `must be true, false or CIDR ranges such as 10.0.0.0/8, got "${bad.join(', ')}"`,
      });
    }
    return ranges;
  };
  const keySecrets = (name: string): Record<string, string> => {
    const secrets: Record<string, string> = {};
    for (const entry of text(name, '')
      .split(',')
      .filter((part) => part.trim() !== '')) {
      const colon = entry.indexOf(':');
      if (colon <= 0 || colon === entry.length - 1) {
        issues.push({
          path: name,
          message: 'must be "apiKeyName:secret" entries, comma-separated',
        });
        continue;
      }
      secrets[entry.slice(0, colon).trim()] = entry.slice(colon + 1).trim();
    }
    return secrets;
  };
  // Unset, the direct URL follows DATABASE_URL, an in-process override of it included.
  const directUrl =
    text('DATABASE_DIRECT_URL', '') === ''
      ? undefined
      : url('DATABASE_DIRECT_URL', '', ['postgres:', 'postgresql:']);
  const merged: Omit<ManagerEnvironment, 'databaseDirectUrl'> & { databaseDirectUrl?: string } = {
    amqpUrl: text('AMQP_URL', DEFAULT_AMQP_URL),
    databaseUrl: url('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:']),
    databaseDirectUrl: directUrl,
    databasePooler: pooler('WM_DATABASE_POOLER'),
    namespace: text('WM_NAMESPACE', DEFAULT_NAMESPACE),
    configPath: source['WM_CONFIG']?.trim() || undefined,
    config: undefined,
    port: int('PORT', DEFAULT_PORT, 0, 65535),
    apiKeys: (source['WM_API_KEYS'] ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== ''),
    heartbeatExpiryMs: int('WM_HEARTBEAT_EXPIRY_MS', DEFAULT_HEARTBEAT_EXPIRY_MS, 100, 3_600_000),
    maxPayloadBytes: int('WM_MAX_PAYLOAD_BYTES', DEFAULT_MAX_PAYLOAD_BYTES, 1, 512 * 1024 * 1024),
    maxBatchBytes: int('WM_MAX_BATCH_BYTES', DEFAULT_MAX_BATCH_BYTES, 1024, 512 * 1024 * 1024),
    maxInflightBytes: int(
      'WM_MAX_INFLIGHT_BYTES',
      DEFAULT_MAX_INFLIGHT_BYTES,
      1024 * 1024,
      16 * 1024 * 1024 * 1024,
    ),
    dedupRetentionMs: int('WM_DEDUP_RETENTION_MS', DEFAULT_DEDUP_RETENTION_MS, 0, 366 * 86_400_000),
    livenessPollMs: int('WM_LIVENESS_POLL_MS', 250, 20, 60_000),
    replicaId: text('WM_REPLICA_ID', randomBytes(6).toString('hex')),
    dispatchLeaseMs: int('WM_DISPATCH_LEASE_MS', 10_000, 100, 3_600_000),
    dispatchHorizonMs: int('WM_DISPATCH_HORIZON_MS', 1000, 0, 60_000),
    dispatchedAfterMs: int('WM_DISPATCHED_AFTER_MS', 1000, 0, 60_000),
    sweepIntervalMs: int('WM_SWEEP_INTERVAL_MS', 1000, 20, 600_000),
    vacuumIntervalMs: int('WM_VACUUM_INTERVAL_MS', 5000, 0, 3_600_000),
    configPollMs: int('WM_CONFIG_POLL_MS', 2000, 20, 600_000),
    batchSize: int('WM_BATCH_SIZE', 200, 1, 5000),
    batchWindowMs: int('WM_BATCH_WINDOW_MS', 5, 0, 10_000),
    prefetch: int('WM_PREFETCH', 500, 1, 65535),
    databasePoolSize: int('WM_DB_POOL_SIZE', 10, 2, 200),
    http: true,
    webhookSecret: source['WM_WEBHOOK_SECRET'] || undefined,
    webhookKeySecrets: keySecrets('WM_WEBHOOK_KEY_SECRETS'),
    webhookAllowPrivate: privateRanges('WM_WEBHOOK_ALLOW_PRIVATE'),
    webhookTimeoutMs: int('WM_WEBHOOK_TIMEOUT_MS', 10_000, 100, 600_000),
    webhookMaxResponseBytes: int('WM_WEBHOOK_MAX_RESPONSE_BYTES', 65_536, 0, 64 * 1024 * 1024),
    webhookRetryForMs: int('WM_WEBHOOK_RETRY_FOR_MS', 86_400_000, 0, 30 * 86_400_000),
    webhookBackoffMs: int('WM_WEBHOOK_BACKOFF_MS', 1000, 10, 3_600_000),
    webhookMaxBackoffMs: int('WM_WEBHOOK_MAX_BACKOFF_MS', 300_000, 10, 86_400_000),
    webhookPollMs: int('WM_WEBHOOK_POLL_MS', 500, 20, 60_000),
    ...overrides,
  };
  const environment: ManagerEnvironment = {
    ...merged,
    databaseDirectUrl: merged.databaseDirectUrl ?? merged.databaseUrl,
  };
  // Checked after the overrides, so an in-process URL list gets the same clear error.
  for (const message of parseBrokerUrls(environment.amqpUrl).problems) {
    issues.push({ path: 'AMQP_URL', message });
  }
  if (!NAMESPACE_PATTERN.test(environment.namespace)) {
    issues.push({
      path: 'WM_NAMESPACE',
      message: `"${environment.namespace}" is invalid: use lower-case letters, digits, "_" and "-" (${NAMESPACE_PATTERN.source})`,
    });
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(environment.replicaId)) {
    issues.push({ path: 'WM_REPLICA_ID', message: 'must be 1 to 64 letters, digits, "_" or "-"' });
  }
  if (issues.length > 0) throw new EnvironmentError(issues);
  return environment;
}
