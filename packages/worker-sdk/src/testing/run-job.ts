import {
  buildJob,
  buildParts,
  buildResponse,
  HEADERS,
  parseResponse,
  PARTS_CONTENT_TYPE,
  type IncomingMessage,
  type Names,
  type OutgoingMessage,
  type ResponseInput,
  type ResponseStatus,
} from '@org/protocol';
import { executeJob } from '../execution/execute-job';
import { JobAbortedError } from '../execution/job-aborted-error';
import { limitOutput } from '../execution/output-limit';
import { admit, expiredResponse, responseFor, type Responder } from '../execution/response-for';
import { startDecision } from '../execution/start-check';
import { submissionFor } from '../execution/submit-request';
import { type LogFields, type Logger, type LogLevel } from '../logger';
import { resolveWorkerOptions, type WorkerOptions } from '../worker-options';

/** A job built in memory. Every field has a default, so `{ json: {...} }` is enough. */
export interface TestJobInput {
  /** Payload bytes (a string is UTF-8 encoded). Give `body` or `json`. @default empty */
  readonly body?: Buffer | string;
  /** Payload value, JSON-encoded. */
  readonly json?: unknown;
  /** Business content type. @default 'test/input' */
  readonly contentType?: string;
  /** MIME type. @default 'application/json' with `json`, else 'application/octet-stream' */
  readonly mimeType?: string;
  /** @default 'test-request-1' */
  readonly requestId?: string;
  /** @default 1 */
  readonly attempt?: number;
  /** @default 0 */
  readonly step?: number;
  /** Graph workflow step id (`wm-step-id`). @default none */
  readonly stepId?: string;
  readonly workflow?: string;
  /**
   * Builds a fan-in job (a graph step with several parents): each parent's output by step id,
   * sent as parts (`application/vnd.wm.parts`) exactly as the manager does; the handler reads
   * them as `job.inputs`. Give `inputs` instead of `body`/`json`. @default none
   */
  readonly inputs?: Readonly<Record<string, TestFanInInput>>;
  /**
   * `wm-deadline` (epoch ms or a Date). A deadline already past is answered ERROR without running
   * the handler, as the worker does. @default none
   */
  readonly deadline?: number | Date;
  /** `wm-meta-*` values from a previous step (names without the prefix are prefixed). */
  readonly meta?: Readonly<Record<string, string>>;
  /** Extra AMQP headers, applied last (they may override the contract's). */
  readonly headers?: Readonly<Record<string, unknown>>;
  /** @default false */
  readonly redelivered?: boolean;
  /** @default 1 when redelivered, else 0 */
  readonly deliveryCount?: number;
  readonly tenant?: string;
  readonly owner?: string;
  readonly session?: string;
  /** Abort it to simulate a cancel order (`ctx.signal` aborts with a cancel reason). */
  readonly signal?: AbortSignal;
}

/** One parent output of a fan-in test job. */
export interface TestFanInInput {
  /** Output bytes (a string is UTF-8 encoded). Give `body` or `json`. @default empty */
  readonly body?: Buffer | string;
  /** Output value, JSON-encoded. */
  readonly json?: unknown;
  /** Business content type. @default 'test/input' */
  readonly contentType?: string;
  /** MIME type. @default 'application/json' with `json`, else none */
  readonly mimeType?: string;
  readonly meta?: Readonly<Record<string, string>>;
}

/** A request the handler submitted with `ctx.submit()`. */
export interface SubmittedRequest {
  readonly requestId: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** The message the real worker would publish to `<ns>.requests`. */
  readonly message: OutgoingMessage;
  json<T = unknown>(): T;
}

export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: LogFields;
}

/** What a handler answered, read back from the exact message the real worker would publish. */
export interface JobRun {
  readonly status: Exclude<ResponseStatus, 'RUNNING' | 'PROGRESS'>;
  /** `wm-messages` (reasons of ERROR and INVALID_CONTENT). */
  readonly messages: readonly string[];
  /** Output payload (empty unless SUCCESS). */
  readonly body: Buffer;
  /** Output business content type (`wm-content-type`), when set. */
  readonly contentType?: string;
  /** Output MIME type. */
  readonly mimeType?: string;
  /** `wm-meta-*` headers of the response. */
  readonly meta: Readonly<Record<string, string>>;
  /** `wm-retryable` on ERROR. */
  readonly retryable?: boolean;
  /** Every value passed to `ctx.progress()` (the real worker throttles what it publishes). */
  readonly progress: readonly number[];
  readonly submitted: readonly SubmittedRequest[];
  /** Entries written to `ctx.log` (when the definition has no logger of its own). */
  readonly logs: readonly LogEntry[];
  /** The exact response message the real worker would publish to `<ns>.responses`. */
  readonly response: OutgoingMessage;
  /** The output parsed as JSON. */
  json<T = unknown>(): T;
}

/**
 * Runs a worker definition's handler against a job built in memory, with no broker: payload
 * validation, error mapping and response building are the real worker's own code.
 *
 * ```ts
 * const run = await runJob(moverDefinition, { json: { from: 'a', to: 'b' } });
 * expect(run.status).toBe('SUCCESS');
 * ```
 */
export async function runJob<T>(
  definition: WorkerOptions<T>,
  input: TestJobInput = {},
): Promise<JobRun> {
  const options = resolveWorkerOptions({ ...definition, handleSignals: false });
  const responder: Responder = {
    names: options.names,
    workerType: options.type,
    workerId: options.instanceId,
  };
  const message = jobMessage(options.names, options.type, input);
  const admission = admit(responder, message);
  if (admission.kind === 'unaddressable') {
    throw new Error(
      `the worker would reject this job to the dead-letter exchange (no readable request id and attempt): ${admission.messages.join('; ')}`,
    );
  }
  if (admission.kind === 'answer') return readRun(options.names, admission.response, [], [], []);

  const job = admission.job;
  if (startDecision(job, Date.now(), undefined, undefined) === 'expired') {
    return readRun(options.names, expiredResponse(responder, job), [], [], []);
  }
  const logs: LogEntry[] = [];
  const progress: number[] = [];
  const submitted: SubmittedRequest[] = [];
  const controller = new AbortController();
  const onAbort = () => {
    const reason: unknown = input.signal?.reason;
    controller.abort(
      new JobAbortedError('cancel', typeof reason === 'string' ? reason : undefined),
    );
  };
  if (input.signal?.aborted) onAbort();
  else input.signal?.addEventListener('abort', onAbort, { once: true });
  let submits = 0;
  try {
    const result = await executeJob(
      options,
      job,
      admission.headers,
      {
        signal: controller.signal,
        logger: definition.logger ?? capturingLogger(logs),
        progress: (percent) => {
          if (typeof percent !== 'number' || !Number.isFinite(percent)) {
            return Promise.reject(
              new TypeError(
                `ctx.progress(): percent must be a number from 0 to 100, got ${String(percent)}`,
              ),
            );
          }
          progress.push(Math.min(100, Math.max(0, Math.round(percent))));
          return Promise.resolve();
        },
        submit: (contentType, payload, submitOptions) => {
          const { requestId, message } = submissionFor(
            options.names,
            job,
            contentType,
            payload,
            submitOptions,
            submits++,
          );
          submitted.push({
            requestId,
            contentType,
            body: message.content,
            message,
            json: <U>() => JSON.parse(message.content.toString('utf8')) as U,
          });
          return Promise.resolve(requestId);
        },
      },
      admission.parts,
    );
    const response = responseFor(responder, job, limitOutput(result, options.maxPayloadBytes));
    return readRun(options.names, response, progress, submitted, logs);
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
  }
}

function jobMessage(names: Names, type: string, input: TestJobInput): IncomingMessage {
  if (input.body !== undefined && input.json !== undefined) {
    throw new TypeError('runJob(): give body or json, not both');
  }
  if (input.inputs !== undefined && (input.body !== undefined || input.json !== undefined)) {
    throw new TypeError('runJob(): a fan-in job takes inputs, not body or json');
  }
  const isJson = input.json !== undefined;
  const body = input.inputs
    ? buildParts(
        Object.entries(input.inputs).map(([stepId, part]) => ({
          stepId,
          contentType: part.contentType ?? 'test/input',
          mimeType: part.mimeType ?? (part.json !== undefined ? 'application/json' : undefined),
          meta: part.meta,
          body: bytesOf(part.body, part.json),
        })),
      )
    : bytesOf(input.body, input.json);
  const requestId = input.requestId ?? 'test-request-1';
  const attempt = input.attempt ?? 1;
  const built = buildJob(names, {
    requestId,
    attempt,
    workerType: type,
    contentType: input.contentType ?? 'test/input',
    workflow: input.workflow,
    step: input.step ?? 0,
    stepId: input.stepId,
    deadline: input.deadline instanceof Date ? input.deadline.getTime() : input.deadline,
    meta: input.meta,
    messageId: `${requestId}#${attempt}`,
    correlationId: requestId,
    mimeType: input.inputs
      ? PARTS_CONTENT_TYPE
      : (input.mimeType ?? (isJson ? 'application/json' : 'application/octet-stream')),
    tenant: input.tenant,
    owner: input.owner,
    session: input.session,
    body,
  });
  const redelivered = input.redelivered ?? false;
  const deliveryCount = input.deliveryCount ?? (redelivered ? 1 : 0);
  return {
    content: built.content,
    fields: { exchange: built.exchange, routingKey: built.routingKey, redelivered },
    properties: {
      ...built.options,
      headers: {
        ...built.options.headers,
        ...(deliveryCount > 0 ? { [HEADERS.deliveryCount]: deliveryCount } : {}),
        ...input.headers,
      },
    },
  };
}

function bytesOf(body: Buffer | string | undefined, json: unknown): Buffer {
  if (body !== undefined && json !== undefined) {
    throw new TypeError('runJob(): give body or json, not both');
  }
  if (json !== undefined) return Buffer.from(JSON.stringify(json));
  return typeof body === 'string' ? Buffer.from(body) : (body ?? Buffer.alloc(0));
}

function readRun(
  names: Names,
  input: ResponseInput,
  progress: readonly number[],
  submitted: readonly SubmittedRequest[],
  logs: readonly LogEntry[],
): JobRun {
  const response = buildResponse(names, input);
  const parsed = parseResponse({
    content: response.content,
    fields: { exchange: response.exchange, routingKey: response.routingKey, redelivered: false },
    properties: response.options,
  });
  // The SDK builds responses with the protocol's own builder; failing to read one back is a bug here.
  if (!parsed.ok) throw parsed.error;
  const wire = parsed.value;
  return {
    status: wire.status as JobRun['status'],
    messages: wire.messages,
    body: wire.body,
    contentType: wire.contentType,
    mimeType: wire.mimeType,
    meta: wire.meta,
    retryable: wire.retryable,
    progress,
    submitted,
    logs,
    response,
    json: <U>() => JSON.parse(wire.body.toString('utf8')) as U,
  };
}

function capturingLogger(logs: LogEntry[]): Logger {
  const add =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) =>
      void logs.push({ level, msg, fields });
  return {
    debug: add('debug'),
    info: add('info'),
    warn: add('warn'),
    error: add('error'),
    isLevelEnabled: () => true,
  };
}
