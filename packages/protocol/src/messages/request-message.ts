import { randomUUID } from 'node:crypto';
import { HEADERS } from '../headers';
import { MAX_REQUEST_ID_LENGTH } from '../limits';
import { type Names } from '../names';
import { parsed, rejected, type ParseResult } from '../validation';
import { amqpTimestamp, type IncomingMessage, type OutgoingMessage } from './amqp-message';
import { FIELDS, HeaderReader, headerTable, propertyText } from './header-fields';
import { readRequestOptions, requestOptionHeaders, type RequestOptions } from './request-options';
import {
  readRequesterMetadata,
  requesterMetadataHeaders,
  type RequesterMetadata,
} from './requester-metadata';

/** A request as a requester submits it on `<ns>.requests` (routing key = content type). */
export interface RequestMessage extends RequesterMetadata, RequestOptions {
  /** From `wm-request-id`, else the `messageId` property; absent when neither was sent (the manager makes one). */
  readonly requestId?: string;
  readonly contentType: string;
  readonly messageId?: string;
  readonly correlationId?: string;
  /** A queue that also receives this request's events. */
  readonly replyTo?: string;
  /** MIME type of the payload. */
  readonly mimeType?: string;
  readonly body: Buffer;
}

export interface RequestInput extends RequesterMetadata, RequestOptions {
  readonly requestId?: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly correlationId?: string;
  readonly replyTo?: string;
  /** MIME type of the payload; default `application/octet-stream`. */
  readonly mimeType?: string;
  /** Default: a random UUID. */
  readonly messageId?: string;
}

/** Builds a request for `<ns>.requests`. */
export function buildRequest(names: Names, input: RequestInput): OutgoingMessage {
  const messageId = input.messageId ?? randomUUID();
  return {
    exchange: names.exchanges.requests,
    routingKey: input.contentType,
    content: input.body,
    options: {
      persistent: true,
      messageId,
      correlationId: input.correlationId ?? input.requestId ?? messageId,
      replyTo: input.replyTo,
      contentType: input.mimeType ?? 'application/octet-stream',
      timestamp: amqpTimestamp(),
      headers: headerTable({
        [HEADERS.requestId]: input.requestId,
        [HEADERS.contentType]: input.contentType,
        ...requesterMetadataHeaders(input),
        ...requestOptionHeaders(input),
      }),
    },
  };
}

/** What can be known of a request's identity even when the rest of it is invalid: enough to answer SKIPPED. */
export interface RequestIdentity {
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
  readonly contentType?: string;
}

export function requestIdentity(message: IncomingMessage): RequestIdentity {
  const headers = message.properties.headers ?? {};
  const headerId = propertyText(headers[HEADERS.requestId], MAX_REQUEST_ID_LENGTH);
  return {
    requestId: headerId ?? propertyText(message.properties.messageId, MAX_REQUEST_ID_LENGTH),
    correlationId: propertyText(message.properties.correlationId),
    replyTo: propertyText(message.properties.replyTo),
    contentType: propertyText(headers[HEADERS.contentType]),
  };
}

/**
 * Parses a request. It fails when `wm-content-type` is missing or malformed, or any header breaks
 * its limits; the size limit on the payload is the manager's to apply (`WM_MAX_PAYLOAD_BYTES`).
 */
export function parseRequest(message: IncomingMessage): ParseResult<RequestMessage> {
  const reader = new HeaderReader(message.properties.headers);
  const headerId = reader.optional(FIELDS.requestId);
  const contentType = reader.required(FIELDS.contentType);
  const metadata = readRequesterMetadata(reader);
  const options = readRequestOptions(reader, message.properties.priority);
  const messageId = propertyText(message.properties.messageId, 1024);
  if (
    headerId === undefined &&
    messageId !== undefined &&
    messageId.length > MAX_REQUEST_ID_LENGTH
  ) {
    reader.problem(
      'messageId',
      `is used as the request id and is longer than ${MAX_REQUEST_ID_LENGTH} characters`,
    );
  }
  if (reader.issues.length > 0 || contentType === undefined)
    return rejected('request message', reader.issues);
  // The spread comes last: V8 builds `{ ...x, more }` on a slow path (microseconds per message).
  return parsed({
    requestId: headerId ?? messageId,
    contentType,
    messageId,
    correlationId: propertyText(message.properties.correlationId),
    replyTo: propertyText(message.properties.replyTo),
    mimeType: propertyText(message.properties.contentType),
    body: message.content,
    ...metadata,
    ...options,
  });
}
