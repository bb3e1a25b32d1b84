import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  Max,
  IsArray,
  ArrayMaxSize,
} from 'class-validator';
import { MAX_BATCH_ITEMS } from '../limits';
import { type Names, WORKER_TYPE_PATTERN, CONTENT_TYPE_PATTERN } from '../names';
import { parsed, rejected, type ParseResult } from '../validation';
import { amqpTimestamp, type IncomingMessage, type OutgoingMessage } from './amqp-message';
import { parseJsonBody } from './json-body';
import { fastWorkerStatus } from './worker-status-fast-path';

export const WORKER_STATUSES = ['ready', 'draining'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export const WORKER_MESSAGE_KINDS = ['register', 'heartbeat', 'unregister'] as const;
export type WorkerMessageKind = (typeof WORKER_MESSAGE_KINDS)[number];

/**
 * Body of `register.<type>`, `heartbeat.<type>` and `unregister.<type>` on `<ns>.workers`:
 * who the instance is and its live statistics.
 */
export class WorkerStatusBody {
  /** Instance id, unique per process. */
  @IsString()
  @MaxLength(128)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/)
  id!: string;

  @Matches(WORKER_TYPE_PATTERN)
  type!: string;

  /** `draining`: alive but taking no new jobs; the type is not available through this instance. */
  @IsIn(WORKER_STATUSES)
  status!: WorkerStatus;

  @IsOptional() @IsString() @MaxLength(64) version?: string;
  @IsOptional() @IsString() @MaxLength(255) host?: string;
  @IsOptional() @IsInt() @Min(0) pid?: number;
  @IsOptional() @IsISO8601() startedAt?: string;
  @IsOptional() @IsInt() @Min(1) concurrency?: number;
  @IsOptional() @IsInt() @Min(0) inFlight?: number;
  @IsOptional() @IsInt() @Min(0) processed?: number;
  @IsOptional() @IsInt() @Min(0) failed?: number;
  @IsOptional() @IsNumber() @Min(0) avgDurationMs?: number;
  @IsOptional() @IsInt() @Min(0) rssBytes?: number;
  /** v2: jobs acknowledged without running because their `wm-deadline` had passed (answered ERROR). */
  @IsOptional() @IsInt() @Min(0) expired?: number;
  /** v2: jobs acknowledged without running, unanswered, because a cancel order for their (request id, attempt) came first. */
  @IsOptional() @IsInt() @Min(0) cancelledInQueue?: number;
  /** v2: job messages or batch items that could not be read at all (no request id and attempt), dropped or dead-lettered. */
  @IsOptional() @IsInt() @Min(0) malformed?: number;
  /** CPU used by the process since the previous heartbeat, in percent of one core. */
  @IsOptional() @IsNumber() @Min(0) cpu?: number;
  /**
   * v2: the most jobs this instance accepts in one batch frame (≥ 2). The manager sends job
   * batches to a type only while every live instance advertises one, never above the smallest.
   */
  @IsOptional() @IsInt() @Min(2) @Max(MAX_BATCH_ITEMS) batch?: number;
  /** v2: version of the wire contract the instance speaks (e.g. "2.0.0"). */
  @IsOptional() @IsString() @MaxLength(32) contract?: string;
  /** On register: what the worker does, for operators. */
  @IsOptional() @IsString() @MaxLength(4096) description?: string;
  /** Content types the worker says it accepts (informational; routing comes from the manager's configuration). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @Matches(CONTENT_TYPE_PATTERN, { each: true })
  contentTypes?: string[];
  /** On register: JSON Schema of the job payload, when it is JSON. */
  @IsOptional() @IsObject() schema?: Record<string, unknown>;
}

export type WorkerStatusInput = Omit<WorkerStatusBody, never>;

export interface WorkerMessage {
  readonly kind: WorkerMessageKind;
  readonly body: WorkerStatusBody;
}

export function buildWorkerMessage(
  names: Names,
  kind: WorkerMessageKind,
  body: WorkerStatusInput,
): OutgoingMessage {
  return {
    exchange: names.exchanges.workers,
    routingKey: `${kind}.${body.type}`,
    content: Buffer.from(JSON.stringify(body)),
    options: {
      // Heartbeats are only useful live; persisting them would be wasted disk writes.
      persistent: kind !== 'heartbeat',
      messageId: `${body.id}:${kind}:${Date.now()}`,
      contentType: 'application/json',
      timestamp: amqpTimestamp(),
      headers: {},
    },
  };
}

export function parseWorkerMessage(message: IncomingMessage): ParseResult<WorkerMessage> {
  const [kind, type, ...rest] = message.fields.routingKey.split('.');
  if (
    !kind ||
    !(WORKER_MESSAGE_KINDS as readonly string[]).includes(kind) ||
    !type ||
    rest.length > 0
  ) {
    return rejected('worker message', [
      {
        path: 'routingKey',
        message: `"${message.fields.routingKey}" is not one of register.<type>, heartbeat.<type>, unregister.<type>`,
      },
    ]);
  }
  const fast = fastWorkerStatus(message.content);
  const body: ParseResult<WorkerStatusBody> = fast
    ? parsed(Object.assign(new WorkerStatusBody(), fast))
    : parseJsonBody(WorkerStatusBody, message.content, 'worker message');
  if (!body.ok) return body;
  if (body.value.type !== type) {
    return rejected('worker message', [
      {
        path: 'body.type',
        message: `"${body.value.type}" differs from the routing key's type "${type}"`,
      },
    ]);
  }
  return parsed({ kind: kind as WorkerMessageKind, body: body.value });
}
