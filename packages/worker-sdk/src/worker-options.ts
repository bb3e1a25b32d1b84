import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { redactUrl } from '@org/amqp-kit';
import {
  assertNamespace,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_NAMESPACE,
  DEFAULT_RUNNING_AFTER_MS,
  MAX_BATCH_ITEMS,
  isWorkerType,
  namesFor,
  WORKER_TYPE_PATTERN,
  WorkerStatusBody,
  type Names,
} from '@org/protocol';
import { type HandlerResult } from './handler-result';
import { type Job } from './job';
import { type JobContext } from './job-context';
import { createJsonLogger, isLogLevel, type Logger } from './logger';
import { type PayloadClass } from './payload-validation';

/** Processes one job. Return `ctx.success()`, `ctx.invalid()` or `ctx.error()`; a throw answers ERROR with its message. */
export type WorkerHandler<T = unknown> = (
  job: Job<T>,
  ctx: JobContext,
) => Promise<HandlerResult> | HandlerResult;

/** How the worker makes sure its queue exists. */
export type DeclareQueueMode = 'assert' | 'check';

/** Documented default broker URL (`AMQP_URL`). */
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** Default `batch`: enough items per message to pay for the frame many times over, few enough that one message stays small. */
export const DEFAULT_BATCH = 100;

export interface WorkerOptions<T = unknown> {
  /** Worker type: the queue `<ns>.worker.<type>` this worker consumes. Required; `^[a-z0-9][a-z0-9_-]{0,127}$`. */
  readonly type: string;
  /** Processes one job. Required. */
  readonly handler: WorkerHandler<T>;
  /**
   * Jobs processed at once by this instance. The broker prefetch (per consumer: quorum queues have
   * no global QoS) equals it, so an instance never holds jobs it is not working on and idle
   * replicas get the rest. @default 1
   */
  readonly concurrency?: number;
  /**
   * A class-validator class for JSON payloads. The body is parsed and validated before the handler
   * runs; a violation answers INVALID_CONTENT listing every problem, and the handler gets the
   * typed instance as `job.payload`. Its JSON Schema is sent in the register message.
   * @default none: the body is handed over as bytes
   */
  readonly payload?: PayloadClass<T>;
  /**
   * Broker URL, or several (the nodes of a RabbitMQ cluster) as an array or a comma-separated
   * string. The worker connects to the first that answers and, when that connection is lost,
   * moves to the next in turn, with a growing delay once every URL has failed.
   * @default process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
   */
  readonly amqpUrl?: string | readonly string[];
  /** Namespace of the deployment; every exchange and queue name starts with it. @default process.env.WM_NAMESPACE ?? 'wm' */
  readonly namespace?: string;
  /** Interval between heartbeats on `<ns>.workers`. @default process.env.WM_HEARTBEAT_INTERVAL_MS ?? 10000 */
  readonly heartbeatIntervalMs?: number;
  /** On stop, how long in-flight jobs may run before they are aborted and requeued. @default 30000 */
  readonly shutdownGraceMs?: number;
  /** On SIGTERM or SIGINT: stop gracefully, then exit with code 0 (a second signal exits at once with 1). @default true */
  readonly handleSignals?: boolean;
  /**
   * `assert`: declare the exchanges and this type's queue (idempotent; needs configure permission).
   * `check`: only check they exist, for least-privilege users; the manager declares the queues
   * of every configured type. @default 'assert'
   */
  readonly declareQueue?: DeclareQueueMode;
  /** Unique id of this instance (heartbeats, `wm-worker-id`, control queue). @default `<type>-<host>-<pid>-<random>` */
  readonly instanceId?: string;
  /** Version reported in registration and heartbeats. @default none */
  readonly version?: string;
  /** What the worker does, for operators (registration). @default none */
  readonly description?: string;
  /** Content types the worker says it accepts (informational; routing is the manager's configuration). @default none */
  readonly contentTypes?: readonly string[];
  /**
   * Send a RUNNING response for jobs that run long enough to matter (see `runningAfterMs`), so
   * requesters see they were picked up; false: never. @default true
   */
  readonly reportRunning?: boolean;
  /**
   * A job still running after this many ms reports RUNNING; a job done sooner sends none (its
   * answer says more, and the broker has one message less to store). 0: at once, as v1 did.
   * @default 1000
   */
  readonly runningAfterMs?: number;
  /**
   * The most jobs this instance accepts in one message (a batch frame, design 5.2), advertised
   * in its registration and heartbeats. The manager never sends more, and sends batches to a type
   * only while every live instance advertises one. The items of a batch run under `concurrency`
   * like single jobs; the message is acknowledged once every item's answer is confirmed, so a
   * crash leaves the whole batch for redelivery (the manager absorbs answers it already has).
   * 1: one job per message, as v1. @default 100
   */
  readonly batch?: number;
  /**
   * Largest output a handler may return: a bigger one ends ERROR (not retryable) with the sizes,
   * instead of being sent. Keep it equal to the manager's.
   * @default process.env.WM_MAX_PAYLOAD_BYTES ?? 1048576
   */
  readonly maxPayloadBytes?: number;
  /**
   * `start()` rejects with a `WorkerStartError` (reason `unreachable`) when no broker answered
   * within this many ms. @default none: keep retrying with backoff, logging each failure
   */
  readonly startTimeoutMs?: number;
  /** Minimum interval between PROGRESS responses of one job. @default 1000 */
  readonly progressThrottleMs?: number;
  /**
   * Publishes (responses, progress, submits) waiting for a broker confirm at once. When full,
   * publishing waits, which holds handlers back instead of growing memory while the broker is
   * slow or away. @default 1000
   */
  readonly maxBufferedPublishes?: number;
  /**
   * Where the worker logs. @default JSON lines on stdout with level, msg, type, instanceId (and
   * requestId for job entries), at process.env.WM_LOG_LEVEL ?? 'info'
   */
  readonly logger?: Logger;
}

/** Options with every default applied and checked. */
export interface ResolvedWorkerOptions<T> {
  readonly type: string;
  readonly handler: WorkerHandler<T>;
  readonly concurrency: number;
  readonly payload: PayloadClass<T> | undefined;
  /** Every broker URL, in the order they are tried (at least one, each checked). */
  readonly amqpUrls: readonly string[];
  readonly names: Names;
  readonly heartbeatIntervalMs: number;
  readonly shutdownGraceMs: number;
  readonly handleSignals: boolean;
  readonly declareQueue: DeclareQueueMode;
  readonly instanceId: string;
  readonly version: string | undefined;
  readonly description: string | undefined;
  readonly contentTypes: readonly string[] | undefined;
  readonly reportRunning: boolean;
  readonly runningAfterMs: number;
  readonly batch: number;
  readonly maxPayloadBytes: number;
  readonly startTimeoutMs: number | undefined;
  readonly progressThrottleMs: number;
  readonly maxBufferedPublishes: number;
  readonly logger: Logger;
}

/**
 * Applies defaults (options, then environment, then the documented defaults) and checks
 * everything at once, throwing one error that lists every problem and how to fix it.
 */
export function resolveWorkerOptions<T>(
  options: WorkerOptions<T>,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedWorkerOptions<T> {
  const problems: string[] = [];
  if (typeof options.type !== 'string' || !isWorkerType(options.type)) {
    problems.push(
      `type "${String(options.type)}" must match ${WORKER_TYPE_PATTERN.source} (lower-case letters, digits, "_" and "-")`,
    );
  }
  if (typeof options.handler !== 'function')
    problems.push('handler must be a function (job, ctx) => result');
  const concurrency = positiveInt(options.concurrency, 1, 'concurrency', problems);
  const heartbeatIntervalMs = positiveInt(
    options.heartbeatIntervalMs ??
      envInt(env['WM_HEARTBEAT_INTERVAL_MS'], 'WM_HEARTBEAT_INTERVAL_MS', problems),
    DEFAULT_HEARTBEAT_INTERVAL_MS,
    'heartbeatIntervalMs',
    problems,
  );
  const shutdownGraceMs = nonNegativeInt(
    options.shutdownGraceMs,
    30_000,
    'shutdownGraceMs',
    problems,
  );
  const progressThrottleMs = nonNegativeInt(
    options.progressThrottleMs,
    1000,
    'progressThrottleMs',
    problems,
  );
  const maxBufferedPublishes = positiveInt(
    options.maxBufferedPublishes,
    1000,
    'maxBufferedPublishes',
    problems,
  );
  const runningAfterMs = nonNegativeInt(
    options.runningAfterMs,
    DEFAULT_RUNNING_AFTER_MS,
    'runningAfterMs',
    problems,
  );
  const batch = positiveInt(options.batch, DEFAULT_BATCH, 'batch', problems);
  if (batch > MAX_BATCH_ITEMS)
    problems.push(`batch must be at most ${MAX_BATCH_ITEMS}, got ${batch}`);
  const maxPayloadBytes = positiveInt(
    options.maxPayloadBytes ??
      envInt(env['WM_MAX_PAYLOAD_BYTES'], 'WM_MAX_PAYLOAD_BYTES', problems),
    DEFAULT_MAX_PAYLOAD_BYTES,
    'maxPayloadBytes',
    problems,
  );
  const startTimeoutMs =
    options.startTimeoutMs === undefined
      ? undefined
      : positiveInt(options.startTimeoutMs, 1, 'startTimeoutMs', problems);
  const declareQueue = options.declareQueue ?? 'assert';
  if (declareQueue !== 'assert' && declareQueue !== 'check') {
    problems.push(`declareQueue must be 'assert' or 'check', got "${String(declareQueue)}"`);
  }
  if (options.payload !== undefined && typeof options.payload !== 'function') {
    problems.push('payload must be a class decorated with class-validator decorators');
  }
  let names: Names | undefined;
  try {
    names = namesFor(
      assertNamespace(options.namespace ?? env['WM_NAMESPACE'] ?? DEFAULT_NAMESPACE),
    );
  } catch (cause) {
    problems.push((cause as Error).message);
  }
  const amqpUrls = brokerUrlList(options.amqpUrl ?? env['AMQP_URL'] ?? DEFAULT_AMQP_URL, problems);
  const type = String(options.type);
  const instanceId = options.instanceId ?? defaultInstanceId(type);
  problems.push(...identityProblems(type, instanceId, options));
  const logLevel = env['WM_LOG_LEVEL'] ?? 'info';
  if (!isLogLevel(logLevel))
    problems.push(`WM_LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
  if (problems.length > 0 || !names) {
    throw new TypeError(
      `invalid worker options${options.type ? ` for "${String(options.type)}"` : ''}:\n- ${problems.join('\n- ')}`,
    );
  }
  return {
    type,
    handler: options.handler,
    concurrency,
    payload: options.payload,
    amqpUrls,
    names,
    heartbeatIntervalMs,
    shutdownGraceMs,
    handleSignals: options.handleSignals ?? true,
    declareQueue,
    instanceId,
    version: options.version,
    description: options.description,
    contentTypes: options.contentTypes,
    reportRunning: options.reportRunning ?? true,
    runningAfterMs,
    batch,
    maxPayloadBytes,
    startTimeoutMs,
    progressThrottleMs,
    maxBufferedPublishes,
    logger:
      options.logger ??
      createJsonLogger({ type, instanceId }, isLogLevel(logLevel) ? logLevel : 'info'),
  };
}

// The registration body is validated by the contract's own class, so an instance id, version or
// content type the manager would refuse is reported at creation, not as silently dropped heartbeats.
function identityProblems(
  type: string,
  instanceId: string,
  options: Pick<WorkerOptions, 'version' | 'description' | 'contentTypes'>,
): string[] {
  const body = plainToInstance(WorkerStatusBody, {
    id: instanceId,
    type,
    status: 'ready',
    version: options.version,
    description: options.description,
    contentTypes: options.contentTypes === undefined ? undefined : [...options.contentTypes],
  });
  const fieldOption: Record<string, string> = { id: 'instanceId', type: 'type' };
  return validateSync(body)
    .filter((error) => error.property !== 'type')
    .flatMap((error) =>
      Object.values(error.constraints ?? {}).map(
        (message) => `${fieldOption[error.property] ?? error.property}: ${message}`,
      ),
    );
}

// Every URL is checked now, so a typo in the third node's address fails at creation instead of
// at the first failover; messages never show a password.
function brokerUrlList(value: string | readonly string[], problems: string[]): string[] {
  const entries = (typeof value === 'string' ? value.split(',') : [...value]).map((entry) =>
    typeof entry === 'string' ? entry.trim() : '',
  );
  if (entries.length === 0) problems.push('amqpUrl must name at least one broker URL');
  entries.forEach((entry, index) => {
    const which =
      entries.length > 1 ? `amqpUrl (URL ${index + 1} of ${entries.length})` : 'amqpUrl';
    if (entry === '') {
      problems.push(`${which} is empty (separate URLs with single commas)`);
      return;
    }
    try {
      const { protocol, hostname } = new URL(entry);
      if (protocol !== 'amqp:' && protocol !== 'amqps:') {
        problems.push(`${which} "${redactUrl(entry)}" must use amqp: or amqps:, got "${protocol}"`);
      } else if (hostname === '') {
        problems.push(`${which} "${redactUrl(entry)}" names no host`);
      }
    } catch {
      problems.push(`${which} "${redactUrl(entry)}" is not a URL`);
    }
  });
  return entries;
}

function defaultInstanceId(type: string): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '-')
      .slice(0, 48) || 'host';
  return `${type.slice(0, 48)}-${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

function envInt(raw: string | undefined, name: string, problems: string[]): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) {
    problems.push(`${name} must be an integer, got "${raw}"`);
    return undefined;
  }
  return value;
}

function positiveInt(
  value: number | undefined,
  fallback: number,
  name: string,
  problems: string[],
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    problems.push(`${name} must be a positive integer, got ${String(value)}`);
    return fallback;
  }
  return value;
}

function nonNegativeInt(
  value: number | undefined,
  fallback: number,
  name: string,
  problems: string[],
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    problems.push(`${name} must be an integer of at least 0, got ${String(value)}`);
    return fallback;
  }
  return value;
}
