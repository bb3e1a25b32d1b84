import { randomUUID } from 'node:crypto';
import { HEADERS } from '../headers';
import { type Names } from '../names';
import { routingWord, type ResponseStatus } from '../states';
import { parsed, rejected, type ParseResult } from '../validation';
import {
  amqpTimestamp,
  EMPTY_BODY,
  type IncomingMessage,
  type OutgoingMessage,
} from './amqp-message';
import { FIELDS, HeaderReader, headerTable, metaHeaders, propertyText } from './header-fields';

/** A worker's answer about one job, on `<ns>.responses` with key `<status>.<type>`. */
export interface ResponseMessage {
  readonly requestId: string;
  /** Echo of the job's `wm-attempt`: a response for another attempt is stale and dropped. */
  readonly attempt: number;
  readonly status: ResponseStatus;
  readonly workerType: string;
  readonly workerId: string;
  /** Echo of the job's step. */
  readonly step?: number;
  /** On SUCCESS: the business content type of the output (default: the worker type's configured output). */
  readonly contentType?: string;
  readonly messages: readonly string[];
  /** With PROGRESS: 0–100. */
  readonly progress?: number;
  /** With ERROR: the worker believes a retry may succeed. */
  readonly retryable?: boolean;
  readonly meta: Readonly<Record<string, string>>;
  readonly correlationId?: string;
  readonly messageId?: string;
  readonly mimeType?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** The output payload on SUCCESS; empty otherwise. */
  readonly body: Buffer;
}

export type ResponseInput = Omit<ResponseMessage, 'messages' | 'meta' | 'body' | 'messageId'> & {
  readonly messages?: readonly string[];
  readonly meta?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly messageId?: string;
};

export function buildResponse(names: Names, response: ResponseInput): OutgoingMessage {
  const body = response.status === 'SUCCESS' ? (response.body ?? EMPTY_BODY) : EMPTY_BODY;
  return {
    exchange: names.exchanges.responses,
    routingKey: `${routingWord(response.status)}.${response.workerType}`,
    content: body,
    options: {
      persistent: true,
      messageId: response.messageId ?? randomUUID(),
      correlationId: response.correlationId,
      contentType: response.mimeType ?? (body.length > 0 ? 'application/octet-stream' : undefined),
      timestamp: amqpTimestamp(),
      headers: headerTable({
        [HEADERS.requestId]: response.requestId,
        [HEADERS.attempt]: response.attempt,
        [HEADERS.status]: response.status,
        [HEADERS.workerType]: response.workerType,
        [HEADERS.workerId]: response.workerId,
        [HEADERS.step]: response.step,
        [HEADERS.contentType]: response.contentType,
        [HEADERS.messages]:
          response.messages && response.messages.length > 0 ? [...response.messages] : undefined,
        [HEADERS.progress]: response.progress,
        [HEADERS.retryable]: response.retryable,
        [HEADERS.traceparent]: response.traceparent,
        [HEADERS.tracestate]: response.tracestate,
        ...metaHeaders(response.meta),
      }),
    },
  };
}

export function parseResponse(message: IncomingMessage): ParseResult<ResponseMessage> {
  const reader = new HeaderReader(message.properties.headers);
  const requestId = reader.required(FIELDS.requestId);
  const attempt = reader.required(FIELDS.attempt);
  const status = reader.required(FIELDS.status) as ResponseStatus | undefined;
  const workerType = reader.required(FIELDS.workerType);
  const workerId = reader.required(FIELDS.workerId);
  const step = reader.optional(FIELDS.step);
  const contentType = reader.optional(FIELDS.contentType);
  const messages = reader.optional(FIELDS.messages) ?? [];
  const progress =
    status === 'PROGRESS' ? reader.required(FIELDS.progress) : reader.optional(FIELDS.progress);
  const retryable = reader.optional(FIELDS.retryable);
  const meta = reader.meta();
  if (status !== undefined && status !== 'SUCCESS' && message.content.length > 0) {
    reader.problem('body', `must be empty on ${status} (only SUCCESS carries a payload)`);
  }
  if (
    reader.issues.length > 0 ||
    requestId === undefined ||
    attempt === undefined ||
    status === undefined ||
    workerType === undefined ||
    workerId === undefined
  ) {
    return rejected('response message', reader.issues);
  }
  return parsed({
    requestId,
    attempt,
    status,
    workerType,
    workerId,
    step,
    contentType,
    messages,
    progress,
    retryable,
    meta,
    correlationId: propertyText(message.properties.correlationId),
    messageId: propertyText(message.properties.messageId, 1024),
    mimeType: propertyText(message.properties.contentType),
    traceparent: reader.optional(FIELDS.traceparent),
    tracestate: reader.optional(FIELDS.tracestate),
    body: message.content,
  });
}
