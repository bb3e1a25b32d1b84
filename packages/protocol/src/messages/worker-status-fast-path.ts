import { MAX_BATCH_ITEMS } from '../limits';
import { CONTENT_TYPE_PATTERN, WORKER_TYPE_PATTERN } from '../names';
import { MAX_JSON_BODY_BYTES } from './json-body';

/**
 * Every field of `WorkerStatusBody` with a check at least as strict as its class-validator
 * decorators. A test compares this list with the class's decorated properties, so a field added
 * there without a check here fails the build.
 */
export const WORKER_STATUS_FIELD_CHECKS: Readonly<Record<string, (value: unknown) => boolean>> = {
  id: (value) => isString(value, 128) && /^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(value),
  type: (value) => typeof value === 'string' && WORKER_TYPE_PATTERN.test(value),
  status: (value) => value === 'ready' || value === 'draining',
  version: (value) => isString(value, 64),
  host: (value) => isString(value, 255),
  pid: (value) => isInt(value, 0),
  // What `Date.prototype.toISOString()` writes (and other strict ISO 8601 date-times).
  startedAt: (value) =>
    typeof value === 'string' &&
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/.test(
      value,
    ) &&
    !Number.isNaN(Date.parse(value)),
  concurrency: (value) => isInt(value, 1),
  inFlight: (value) => isInt(value, 0),
  processed: (value) => isInt(value, 0),
  failed: (value) => isInt(value, 0),
  expired: (value) => isInt(value, 0),
  cancelledInQueue: (value) => isInt(value, 0),
  malformed: (value) => isInt(value, 0),
  avgDurationMs: (value) => isNumber(value, 0),
  rssBytes: (value) => isInt(value, 0),
  cpu: (value) => isNumber(value, 0),
  batch: (value) => isInt(value, 2) && (value as number) <= MAX_BATCH_ITEMS,
  contract: (value) => isString(value, 32),
  description: (value) => isString(value, 4096),
  contentTypes: (value) =>
    Array.isArray(value) &&
    value.length <= 64 &&
    value.every((item) => typeof item === 'string' && CONTENT_TYPE_PATTERN.test(item)),
  schema: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
};

const REQUIRED = ['id', 'type', 'status'];

/**
 * The common case of a worker message body, checked without class-validator (which costs most
 * of a heartbeat's handling: at thousands of heartbeats a second it is the manager's main
 * liveness cost). Returns the body's known fields when every present field passes its check,
 * else undefined, and the caller runs the full validation, which names every problem. So this
 * only ever accepts what the full validation accepts; it may send it a valid body it is unsure
 * of (a `null` optional field, an unusual ISO 8601 form).
 */
export function fastWorkerStatus(content: Buffer): Record<string, unknown> | undefined {
  if (content.length > MAX_JSON_BODY_BYTES) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const source = json as Record<string, unknown>;
  const known: Record<string, unknown> = {};
  for (const [field, check] of Object.entries(WORKER_STATUS_FIELD_CHECKS)) {
    const value = source[field];
    if (value === undefined) {
      if (REQUIRED.includes(field)) return undefined;
      continue;
    }
    if (!check(value)) return undefined;
    known[field] = value;
  }
  return known;
}

function isString(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}

function isInt(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

function isNumber(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min;
}
