import {
  isContentType,
  MAX_MESSAGE_LENGTH,
  MAX_MESSAGES,
  MAX_META_HEADERS,
  META_HEADER_PREFIX,
} from '@org/protocol';

/** The job succeeded: `body` is the output payload, handed to the next workflow step or the requester. */
export interface SuccessResult {
  readonly status: 'SUCCESS';
  readonly body: Buffer;
  /** Business content type of the output (`wm-content-type`); absent: the manager uses the configured output. */
  readonly contentType?: string;
  /** MIME type of the output (AMQP `contentType`). */
  readonly mimeType?: string;
  /** `wm-meta-*` headers (names without the prefix are prefixed). */
  readonly meta: Readonly<Record<string, string>>;
}

/** The worker failed on this job. */
export interface ErrorResult {
  readonly status: 'ERROR';
  readonly messages: readonly string[];
  /** The worker believes a retry may succeed (`wm-retryable`). */
  readonly retryable: boolean;
}

/** The job is wrong: retrying it cannot help. */
export interface InvalidContentResult {
  readonly status: 'INVALID_CONTENT';
  readonly messages: readonly string[];
}

/** What a handler returns; build it with `ctx.success()`, `ctx.invalid()` or `ctx.error()`. */
export type HandlerResult = SuccessResult | ErrorResult | InvalidContentResult;

/** Argument of `ctx.success()`: the output as bytes (`body`) or as a value to JSON-encode (`json`). */
export interface SuccessOutput {
  /** Output payload bytes. Give `body` or `json`, not both. */
  readonly body?: Buffer;
  /** Output value, sent JSON-encoded with MIME type `application/json`. */
  readonly json?: unknown;
  /** Business content type of the output, e.g. `product/described`. @default the manager's configured output type */
  readonly contentType?: string;
  /** MIME type of the output. @default `application/json` with `json`, `application/octet-stream` with `body` */
  readonly mimeType?: string;
  /** Free metadata carried to the next step and to the requester as `wm-meta-<name>` headers. */
  readonly meta?: Readonly<Record<string, string>>;
}

export interface ErrorOptions {
  /** The worker believes a retry may succeed (sent as `wm-retryable`). @default false */
  readonly retryable?: boolean;
}

export function success(output: SuccessOutput = {}): SuccessResult {
  if (output.body !== undefined && output.json !== undefined) {
    throw new TypeError('ctx.success(): pass either body (bytes) or json (a value), not both');
  }
  if (output.body !== undefined && !Buffer.isBuffer(output.body)) {
    throw new TypeError('ctx.success(): body must be a Buffer; use json for values');
  }
  if (output.contentType !== undefined && !isContentType(output.contentType)) {
    throw new TypeError(
      `ctx.success(): contentType "${output.contentType}" is not a valid content type (letters, digits and !$&^_.+-/=; , no spaces or wildcards)`,
    );
  }
  const isJson = output.json !== undefined;
  return {
    status: 'SUCCESS',
    body: isJson ? Buffer.from(JSON.stringify(output.json)) : (output.body ?? Buffer.alloc(0)),
    contentType: output.contentType,
    mimeType: output.mimeType ?? (isJson ? 'application/json' : undefined),
    meta: checkMeta(output.meta ?? {}),
  };
}

export function invalid(reason: string | readonly string[]): InvalidContentResult {
  return { status: 'INVALID_CONTENT', messages: wireMessages(reason, 'invalid content') };
}

export function error(reason: string | readonly string[], options: ErrorOptions = {}): ErrorResult {
  return {
    status: 'ERROR',
    messages: wireMessages(reason, 'error'),
    retryable: options.retryable ?? false,
  };
}

/**
 * Checks what a handler returned; anything else becomes an ERROR that tells the author what to
 * return, so a forgotten `return` cannot silently ack a job.
 */
export function normalizeResult(value: unknown): HandlerResult {
  if (typeof value === 'object' && value !== null && 'status' in value) {
    const status = value.status;
    if (status === 'SUCCESS' || status === 'ERROR' || status === 'INVALID_CONTENT')
      return value as HandlerResult;
  }
  return error(
    `handler returned ${value === undefined ? 'nothing' : typeof value}: return ctx.success(), ctx.invalid() or ctx.error()`,
  );
}

/** Keeps `wm-messages` inside the contract's limits, so the manager never rejects a response for its size. */
export function wireMessages(reason: string | readonly string[], fallback: string): string[] {
  const list = (typeof reason === 'string' ? [reason] : [...reason]).map((message) =>
    message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message,
  );
  if (list.length === 0) return [fallback];
  if (list.length <= MAX_MESSAGES) return list;
  return [...list.slice(0, MAX_MESSAGES - 1), `…and ${list.length - MAX_MESSAGES + 1} more`];
}

function checkMeta(meta: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(meta);
  if (entries.length > MAX_META_HEADERS) {
    throw new TypeError(
      `ctx.success(): at most ${MAX_META_HEADERS} meta entries are allowed, got ${entries.length}`,
    );
  }
  const checked: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (typeof value !== 'string') {
      throw new TypeError(`ctx.success(): meta "${name}" must be a string, got ${typeof value}`);
    }
    if (value.length > MAX_MESSAGE_LENGTH) {
      throw new TypeError(
        `ctx.success(): meta "${name}" is longer than ${MAX_MESSAGE_LENGTH} characters`,
      );
    }
    checked[name.startsWith(META_HEADER_PREFIX) ? name : `${META_HEADER_PREFIX}${name}`] = value;
  }
  return checked;
}
