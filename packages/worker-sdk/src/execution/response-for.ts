import {
  FIELDS,
  HeaderReader,
  parseJob,
  parseParts,
  PARTS_CONTENT_TYPE,
  type BatchItem,
  type DeliveredJob,
  type IncomingMessage,
  type Names,
  type Part,
  type ParseResult,
  type ResponseInput,
} from '@org/protocol';
import { error, wireMessages, type HandlerResult } from '../handler-result';
import { cancelledMessage } from './job-aborted-error';
import { DEADLINE_PASSED_MESSAGE } from './start-check';

/** Who is answering: the worker type and instance named in every response. */
export interface Responder {
  readonly names: Names;
  readonly workerType: string;
  readonly workerId: string;
}

/** The fields every response about a job echoes: request id, attempt (the fencing token), step, trace. */
function echo(responder: Responder, job: DeliveredJob): Omit<ResponseInput, 'status'> {
  return {
    requestId: job.requestId,
    attempt: job.attempt,
    step: job.step,
    workerType: responder.workerType,
    workerId: responder.workerId,
    correlationId: job.correlationId,
    traceparent: job.traceparent,
    tracestate: job.tracestate,
  };
}

/**
 * The final response for a handler's result (build the message with the protocol's
 * `buildResponse`, or several with `buildResponseBatches`). The real worker and `runJob` both
 * build it here.
 */
export function responseFor(
  responder: Responder,
  job: DeliveredJob,
  result: HandlerResult,
): ResponseInput {
  // Spread last, never first: V8 builds `{ ...echo, more }` on a slow path (microseconds per job).
  switch (result.status) {
    case 'SUCCESS':
      return {
        status: 'SUCCESS',
        body: result.body,
        contentType: result.contentType,
        mimeType: result.mimeType,
        meta: result.meta,
        ...echo(responder, job),
      };
    case 'ERROR':
      return {
        status: 'ERROR',
        messages: result.messages,
        retryable: result.retryable,
        ...echo(responder, job),
      };
    default:
      return { status: 'INVALID_CONTENT', messages: result.messages, ...echo(responder, job) };
  }
}

/** ERROR for a job that reached the worker after its deadline: not retryable, the request has ended. */
export function expiredResponse(responder: Responder, job: DeliveredJob): ResponseInput {
  return responseFor(responder, job, error(DEADLINE_PASSED_MESSAGE));
}

/** ERROR "cancelled" for a job a v1 cancel order reached before it started. */
export function cancelledResponse(
  responder: Responder,
  job: DeliveredJob,
  reason: string | undefined,
): ResponseInput {
  return responseFor(responder, job, error(cancelledMessage(reason)));
}

/** An informational RUNNING or PROGRESS response. */
export function statusResponse(
  responder: Responder,
  job: DeliveredJob,
  status: 'RUNNING' | 'PROGRESS',
  progress?: number,
): ResponseInput {
  return { status, progress, ...echo(responder, job) };
}

/** What to do with a job (a message, or an item of a batch) before any handler runs. */
export type Admission =
  /** A valid job with its own headers; `parts` for a fan-in job (its parents' outputs). */
  | {
      readonly kind: 'job';
      readonly job: DeliveredJob;
      readonly headers: Readonly<Record<string, unknown>>;
      readonly parts?: readonly Part[];
    }
  /** Not a valid job, but its request id and attempt are readable: answer INVALID_CONTENT. */
  | {
      readonly kind: 'answer';
      readonly response: ResponseInput;
      readonly messages: readonly string[];
    }
  /**
   * Not even addressable. A message alone is rejected without requeue, so the queue
   * dead-letters it to the manager; an item of a batch is dropped and counted (one item cannot
   * be dead-lettered without its batch).
   */
  | { readonly kind: 'unaddressable'; readonly messages: readonly string[] };

/** Admission of a message carrying one job. */
export function admit(responder: Responder, message: IncomingMessage): Admission {
  return admitParsed(responder, message, parseJob(message));
}

/** Admission of one item of a job batch (already parsed with the batch). */
export function admitItem(responder: Responder, item: BatchItem<DeliveredJob>): Admission {
  return admitParsed(responder, item.message, item.parsed);
}

function admitParsed(
  responder: Responder,
  message: IncomingMessage,
  parsed: ParseResult<DeliveredJob>,
): Admission {
  if (parsed.ok) {
    const job = parsed.value;
    const headers = message.properties.headers ?? {};
    if (job.mimeType !== PARTS_CONTENT_TYPE) return { kind: 'job', job, headers };
    const parts = parseParts(job.body);
    if (parts.ok) return { kind: 'job', job, headers, parts: parts.value };
    const messages = wireMessages(parts.error.messages(), 'invalid fan-in parts');
    return { kind: 'answer', messages, response: invalidResponse(responder, job, messages) };
  }
  const messages = wireMessages(parsed.error.messages(), 'invalid job message');
  // Read only the two headers a response needs; the rest of the job may be broken.
  const reader = new HeaderReader(message.properties.headers);
  const requestId = reader.required(FIELDS.requestId);
  const attempt = reader.required(FIELDS.attempt);
  if (requestId === undefined || attempt === undefined) return { kind: 'unaddressable', messages };
  const response: ResponseInput = {
    requestId,
    attempt,
    status: 'INVALID_CONTENT',
    workerType: responder.workerType,
    workerId: responder.workerId,
    correlationId: textProperty(message.properties.correlationId),
    messages,
  };
  return { kind: 'answer', response, messages };
}

function invalidResponse(
  responder: Responder,
  job: DeliveredJob,
  messages: readonly string[],
): ResponseInput {
  return { status: 'INVALID_CONTENT', messages, ...echo(responder, job) };
}

function textProperty(raw: unknown): string | undefined {
  if (typeof raw === 'string' && raw !== '') return raw;
  return Buffer.isBuffer(raw) && raw.length > 0 ? raw.toString('utf8') : undefined;
}
