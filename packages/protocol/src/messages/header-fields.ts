import { HEADERS, META_HEADER_PREFIX } from '../headers';
import {
  MAX_BATCH_ITEMS,
  MAX_CALLBACK_URL_LENGTH,
  MAX_PRIORITY,
  MAX_MESSAGE_LENGTH,
  MAX_MESSAGES,
  MAX_META_HEADERS,
  MAX_REQUEST_ID_LENGTH,
  MAX_SHORT_HEADER_LENGTH,
} from '../limits';
import { CONTENT_TYPE_PATTERN, STEP_ID_PATTERN, WORKER_TYPE_PATTERN } from '../names';
import { CALLBACK_EVENTS, EVENT_STATES, NOTIFY_MODES, RESPONSE_STATUSES } from '../states';
import { CONTROL_TARGETS } from '../topology/topology';
import { type ValidationIssue } from '../validation';

/** `time`: ISO 8601 with a time zone, or epoch milliseconds; read as epoch milliseconds. */
export type FieldKind = 'string' | 'int' | 'bool' | 'string[]' | 'time';

/** One header of the contract: its name, type and limits. Parsers and the AsyncAPI document both read these. */
export interface HeaderField<K extends FieldKind = FieldKind> {
  readonly name: string;
  readonly kind: K;
  readonly description: string;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxItems?: number;
}

type FieldValue<K extends FieldKind> = K extends 'string'
  ? string
  : K extends 'int'
    ? number
    : K extends 'bool'
      ? boolean
      : K extends 'time'
        ? number
        : string[];

const text = (name: string, description: string, extra: Partial<HeaderField<'string'>> = {}) =>
  ({ name, kind: 'string', description, maxLength: MAX_SHORT_HEADER_LENGTH, ...extra }) as const;

/** Every header of the contract as a field definition. */
export const FIELDS = {
  requestId: text(HEADERS.requestId, 'The request id, unique per live request.', {
    maxLength: MAX_REQUEST_ID_LENGTH,
  }),
  contentType: text(HEADERS.contentType, 'Business content type of this body (e.g. product/raw).', {
    pattern: CONTENT_TYPE_PATTERN,
  }),
  requestContentType: text(
    HEADERS.requestContentType,
    'On events: the content type the requester submitted (the routing key), when wm-content-type names the output.',
    { pattern: CONTENT_TYPE_PATTERN },
  ),
  tenant: text(HEADERS.tenant, 'Requester metadata, carried through unchanged.'),
  owner: text(HEADERS.owner, 'Requester metadata, carried through unchanged.'),
  session: text(HEADERS.session, 'Requester metadata, carried through unchanged.'),
  workflow: text(HEADERS.workflow, 'Workflow type, when the request runs a workflow.'),
  step: {
    name: HEADERS.step,
    kind: 'int',
    description: '0-based step index in the workflow (0 for a single-step request).',
    minimum: 0,
    maximum: 1000,
  },
  attempt: {
    name: HEADERS.attempt,
    kind: 'int',
    description:
      'Dispatch attempt number, starting at 1 and increased at every dispatch of the request: the fencing token a response must echo.',
    minimum: 1,
    maximum: 2_147_483_647,
  },
  workerType: text(HEADERS.workerType, 'Worker type.', {
    maxLength: 128,
    pattern: WORKER_TYPE_PATTERN,
  }),
  workerId: text(HEADERS.workerId, 'Worker instance id.', { maxLength: 128 }),
  status: {
    name: HEADERS.status,
    kind: 'string',
    description: 'Worker response status.',
    enum: RESPONSE_STATUSES,
  },
  state: { name: HEADERS.state, kind: 'string', description: 'Event state.', enum: EVENT_STATES },
  messages: {
    name: HEADERS.messages,
    kind: 'string[]',
    description: 'Human-readable reasons (errors, skips).',
    maxItems: MAX_MESSAGES,
    maxLength: MAX_MESSAGE_LENGTH,
  },
  progress: {
    name: HEADERS.progress,
    kind: 'int',
    description: 'Progress in percent, with PROGRESS.',
    minimum: 0,
    maximum: 100,
  },
  retryable: {
    name: HEADERS.retryable,
    kind: 'bool',
    description: 'On ERROR: the worker believes a retry may succeed.',
  },
  controlTarget: {
    name: HEADERS.controlTarget,
    kind: 'string',
    description:
      'Control order target: one instance (wm-worker-id) or every instance of a type (wm-worker-type).',
    enum: CONTROL_TARGETS,
  },
  priority: {
    name: HEADERS.priority,
    kind: 'int',
    description: `v2. Priority of a request, 0 (default) to ${MAX_PRIORITY}; higher is dispatched first. The AMQP priority property is accepted too.`,
    minimum: 0,
    maximum: MAX_PRIORITY,
  },
  notBefore: {
    name: HEADERS.notBefore,
    kind: 'time',
    description:
      'v2. ISO 8601 time with a zone, or epoch milliseconds: the request is recorded now (state SCHEDULED, event SCHEDULED) and dispatched no earlier.',
  },
  deadline: {
    name: HEADERS.deadline,
    kind: 'time',
    description:
      'v2. On requests: ISO 8601 time with a zone, or epoch milliseconds; a request no worker has started by then ends ERROR ("deadline passed"). On jobs: epoch milliseconds; a worker receiving the job later acknowledges it without running it.',
  },
  callbackUrl: text(
    HEADERS.callbackUrl,
    'On requests: an http(s) URL the manager POSTs the terminal event to as signed JSON (a webhook), retried with backoff until delivered or given up.',
    { maxLength: MAX_CALLBACK_URL_LENGTH, pattern: /^https?:\/\/[^\s]+$/i },
  ),
  callbackEvents: {
    name: HEADERS.callbackEvents,
    kind: 'string',
    description:
      'On requests with wm-callback-url: terminal (default: the terminal event only) or all (every event).',
    enum: CALLBACK_EVENTS,
  },
  notify: {
    name: HEADERS.notify,
    kind: 'string',
    description: 'v2. Events the requester receives: all (default), terminal or none.',
    enum: NOTIFY_MODES,
  },
  batch: {
    name: HEADERS.batch,
    kind: 'int',
    description: `v2. Items in a batch frame (AMQP contentType application/vnd.wm.batch), 1 to ${MAX_BATCH_ITEMS}.`,
    minimum: 1,
    maximum: MAX_BATCH_ITEMS,
  },
  acceptBatch: {
    name: HEADERS.acceptBatch,
    kind: 'bool',
    description: "v2. On requests: the request's replyTo queue accepts event batches.",
  },
  stepId: text(
    HEADERS.stepId,
    'v2. Id of a graph workflow step: on its jobs, and on each part of a fan-in body.',
    { maxLength: 128, pattern: STEP_ID_PATTERN },
  ),
  parentId: text(
    HEADERS.parentId,
    'v2. On a request a worker submitted while running a job: the id of the request it ran.',
    { maxLength: MAX_REQUEST_ID_LENGTH },
  ),
  traceparent: text(HEADERS.traceparent, 'W3C trace context, propagated end to end.', {
    maxLength: 55,
  }),
  tracestate: text(HEADERS.tracestate, 'W3C trace context, propagated end to end.', {
    maxLength: 512,
  }),
} as const satisfies Record<string, HeaderField>;

/** The `wm-meta-*` family, described for the contract document. */
export const META_FIELD_DESCRIPTION = `Headers starting with "${META_HEADER_PREFIX}" are free metadata a worker returns (string values up to ${MAX_MESSAGE_LENGTH} characters, at most ${MAX_META_HEADERS}); they are carried to the next step and to the requester.`;

/**
 * Reads typed header values and collects every problem instead of stopping at the first.
 * Lenient in what it accepts from other languages: numbers and booleans may arrive as strings,
 * strings as byte arrays.
 */
export class HeaderReader {
  readonly issues: ValidationIssue[] = [];
  private readonly headers: Readonly<Record<string, unknown>>;

  constructor(headers: Readonly<Record<string, unknown>> | undefined) {
    this.headers = headers ?? {};
  }

  required<K extends FieldKind>(field: HeaderField<K>): FieldValue<K> | undefined {
    const raw = this.headers[field.name];
    if (raw === undefined || raw === null || raw === '') {
      this.issue(field, 'is required');
      return undefined;
    }
    return this.read(field, raw);
  }

  optional<K extends FieldKind>(field: HeaderField<K>): FieldValue<K> | undefined {
    const raw = this.headers[field.name];
    if (raw === undefined || raw === null || raw === '') return undefined;
    return this.read(field, raw);
  }

  /** Every `wm-meta-*` header, as strings. */
  meta(): Record<string, string> {
    const meta: Record<string, string> = {};
    let count = 0;
    for (const [name, raw] of Object.entries(this.headers)) {
      if (!name.startsWith(META_HEADER_PREFIX)) continue;
      count += 1;
      const value = asText(raw);
      if (value === undefined) {
        this.issues.push({ path: `headers.${name}`, message: 'must be a string' });
      } else if (value.length > MAX_MESSAGE_LENGTH) {
        this.issues.push({
          path: `headers.${name}`,
          message: `is longer than ${MAX_MESSAGE_LENGTH} characters`,
        });
      } else {
        meta[name] = value;
      }
    }
    if (count > MAX_META_HEADERS) {
      this.issues.push({
        path: `headers.${META_HEADER_PREFIX}*`,
        message: `at most ${MAX_META_HEADERS} meta headers are allowed, got ${count}`,
      });
    }
    return meta;
  }

  issue(field: HeaderField | string, message: string): void {
    const name = typeof field === 'string' ? field : field.name;
    this.issues.push({ path: `headers.${name}`, message });
  }

  /** Records a problem outside the headers (a property, the body). */
  problem(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  private read<K extends FieldKind>(
    field: HeaderField<K>,
    raw: unknown,
  ): FieldValue<K> | undefined {
    switch (field.kind) {
      case 'string':
        return this.readString(field, raw) as FieldValue<K> | undefined;
      case 'int':
        return this.readInt(field, raw) as FieldValue<K> | undefined;
      case 'bool':
        return this.readBool(field, raw) as FieldValue<K> | undefined;
      case 'time':
        return this.readTime(field, raw) as FieldValue<K> | undefined;
      default:
        return this.readStrings(field, raw) as FieldValue<K> | undefined;
    }
  }

  private readString(field: HeaderField, raw: unknown): string | undefined {
    const value = asText(raw);
    if (value === undefined)
      return void this.issue(field, `must be a string, got ${describe(raw)}`);
    return this.checkString(field, value, '') ? value : undefined;
  }

  private checkString(field: HeaderField, value: string, where: string): boolean {
    if (field.maxLength !== undefined && value.length > field.maxLength) {
      this.issue(field, `${where}is longer than ${field.maxLength} characters (${value.length})`);
      return false;
    }
    if (field.enum && !field.enum.includes(value)) {
      this.issue(field, `${where}must be one of ${field.enum.join(', ')}, got "${value}"`);
      return false;
    }
    if (field.pattern && !field.pattern.test(value)) {
      this.issue(field, `${where}"${value}" does not match ${field.pattern.source}`);
      return false;
    }
    return true;
  }

  private readInt(field: HeaderField, raw: unknown): number | undefined {
    const value =
      typeof raw === 'number'
        ? raw
        : typeof raw === 'string' && /^-?\d{1,16}$/.test(raw)
          ? Number(raw)
          : NaN;
    if (!Number.isSafeInteger(value))
      return void this.issue(field, `must be an integer, got ${describe(raw)}`);
    if (field.minimum !== undefined && value < field.minimum)
      return void this.issue(field, `must be at least ${field.minimum}, got ${value}`);
    if (field.maximum !== undefined && value > field.maximum)
      return void this.issue(field, `must be at most ${field.maximum}, got ${value}`);
    return value;
  }

  private readTime(field: HeaderField, raw: unknown): number | undefined {
    const value = parseTime(raw);
    if (value === undefined) {
      return void this.issue(
        field,
        `must be an ISO 8601 time with a zone (2026-01-31T12:00:00Z) or epoch milliseconds, got ${describe(raw)}`,
      );
    }
    return value;
  }

  private readBool(field: HeaderField, raw: unknown): boolean | undefined {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    return void this.issue(field, `must be a boolean, got ${describe(raw)}`);
  }

  private readStrings(field: HeaderField, raw: unknown): string[] | undefined {
    if (!Array.isArray(raw))
      return void this.issue(field, `must be an array of strings, got ${describe(raw)}`);
    if (field.maxItems !== undefined && raw.length > field.maxItems) {
      return void this.issue(field, `has more than ${field.maxItems} entries (${raw.length})`);
    }
    const values: string[] = [];
    for (const [index, item] of raw.entries()) {
      const value = asText(item);
      if (value === undefined)
        return void this.issue(field, `[${index}] must be a string, got ${describe(item)}`);
      if (!this.checkString(field, value, `[${index}] `)) return undefined;
      values.push(value);
    }
    return values;
  }
}

// Date and time with an explicit zone: a time without one would mean different instants to
// different parties.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch milliseconds of an ISO 8601 time with a zone or of epoch milliseconds, or undefined. */
export function parseTime(raw: unknown): number | undefined {
  const text = typeof raw === 'number' ? undefined : asText(raw);
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (text !== undefined && /^\d{1,16}$/.test(text)) value = Number(text);
  else if (text !== undefined && ISO_8601.test(text)) value = Date.parse(text);
  else return undefined;
  // Year 1970 to 9999: anything else is a unit mistake (seconds for milliseconds, say).
  return Number.isSafeInteger(value) && value >= 0 && value <= 253_402_300_799_999
    ? value
    : undefined;
}

function asText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

function describe(raw: unknown): string {
  if (Array.isArray(raw)) return 'an array';
  if (Buffer.isBuffer(raw)) return 'bytes';
  if (raw === null) return 'null';
  return typeof raw === 'object' ? 'an object' : `${typeof raw} ${JSON.stringify(raw)}`;
}

/** Reads a string AMQP property (messageId, correlationId, replyTo, contentType), if it is one. */
export function propertyText(
  raw: unknown,
  maxLength = MAX_SHORT_HEADER_LENGTH,
): string | undefined {
  const value = asText(raw);
  return value === undefined || value === '' || value.length > maxLength ? undefined : value;
}

/** Copies the defined entries of `values` into a header table (AMQP has no `undefined`). */
export function headerTable(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/** Validates `wm-meta-*` names before they are sent. */
export function metaHeaders(
  meta: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(meta ?? {})) {
    const key = name.startsWith(META_HEADER_PREFIX) ? name : `${META_HEADER_PREFIX}${name}`;
    headers[key] = value;
  }
  return headers;
}
