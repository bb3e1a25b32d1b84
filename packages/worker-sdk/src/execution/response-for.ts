import {
  buildResponse,
  FIELDS,
  HeaderReader,
  parseJob,
  type DeliveredJob,
  type IncomingMessage,
  type Names,
  type OutgoingMessage,
  type ResponseInput,
} from '@org/protocol';
import { wireMessages, type HandlerResult } from '../handler-result';

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

/** The final response for a handler's result. The real worker and `runJob` both build it here. */
export function responseFor(
  responder: Responder,
  job: DeliveredJob,
  result: HandlerResult,
): OutgoingMessage {
  // Spread last, never first: V8 builds `{ ...echo, more }` on a slow path (microseconds per job).
  switch (result.status) {
    case 'SUCCESS':
      return buildResponse(responder.names, {
        status: 'SUCCESS',
        body: result.body,
        contentType: result.contentType,
        mimeType: result.mimeType,
        meta: result.meta,
        ...echo(responder, job),
      });
    case 'ERROR':
      return buildResponse(responder.names, {
        status: 'ERROR',
        messages: result.messages,
        retryable: result.retryable,
        ...echo(responder, job),
      });
    default:
      return buildResponse(responder.names, {
        status: 'INVALID_CONTENT',
        messages: result.messages,
        ...echo(responder, job),
      });
  }
}

/** An informational RUNNING or PROGRESS response. */
export function statusResponse(
  responder: Responder,
  job: DeliveredJob,
  status: 'RUNNING' | 'PROGRESS',
  progress?: number,
): OutgoingMessage {
  return buildResponse(responder.names, { status, progress, ...echo(responder, job) });
}

/** What to do with a delivery before any handler runs. */
export type Admission =
  | { readonly kind: 'job'; readonly job: DeliveredJob }
  /** Not a valid job, but its request id and attempt are readable: answer INVALID_CONTENT, then ack. */
  | {
      readonly kind: 'answer';
      readonly response: OutgoingMessage;
      readonly messages: readonly string[];
    }
  /** Not even addressable: reject without requeue so the queue dead-letters it to the manager. */
  | { readonly kind: 'reject'; readonly messages: readonly string[] };

export function admit(responder: Responder, message: IncomingMessage): Admission {
  const parsed = parseJob(message);
  if (parsed.ok) return { kind: 'job', job: parsed.value };
  const messages = wireMessages(parsed.error.messages(), 'invalid job message');
  // Read only the two headers a response needs; the rest of the job may be broken.
  const reader = new HeaderReader(message.properties.headers);
  const requestId = reader.required(FIELDS.requestId);
  const attempt = reader.required(FIELDS.attempt);
  if (requestId === undefined || attempt === undefined) return { kind: 'reject', messages };
  const response = buildResponse(responder.names, {
    requestId,
    attempt,
    status: 'INVALID_CONTENT',
    workerType: responder.workerType,
    workerId: responder.workerId,
    correlationId: textProperty(message.properties.correlationId),
    messages,
  });
  return { kind: 'answer', response, messages };
}

function textProperty(raw: unknown): string | undefined {
  if (typeof raw === 'string' && raw !== '') return raw;
  return Buffer.isBuffer(raw) && raw.length > 0 ? raw.toString('utf8') : undefined;
}
