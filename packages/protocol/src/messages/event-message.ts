import { randomUUID } from 'node:crypto';
import { HEADERS } from '../headers';
import { type Names } from '../names';
import { INFORMATIONAL_EVENT_STATES, routingWord, type EventState } from '../states';
import { parsed, rejected, type ParseResult } from '../validation';
import {
  amqpTimestamp,
  EMPTY_BODY,
  type IncomingMessage,
  type OutgoingMessage,
} from './amqp-message';
import { FIELDS, HeaderReader, headerTable, metaHeaders, propertyText } from './header-fields';
import {
  readRequesterMetadata,
  requesterMetadataHeaders,
  type RequesterMetadata,
} from './requester-metadata';

/** A state change reported to requesters on `<ns>.events`, key `<state>.<request content type>`. */
export interface EventMessage extends RequesterMetadata {
  readonly requestId: string;
  readonly state: EventState;
  /** The content type the requester submitted (the routing key). */
  readonly requestContentType: string;
  /** Business content type of the body: the final output's on SUCCESS, else the request's. */
  readonly contentType: string;
  readonly workflow?: string;
  readonly step?: number;
  readonly attempt?: number;
  readonly workerType?: string;
  readonly workerId?: string;
  readonly messages: readonly string[];
  readonly progress?: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly correlationId?: string;
  readonly mimeType?: string;
  /** The final output on SUCCESS; empty otherwise. */
  readonly body: Buffer;
}

export type EventInput = Omit<EventMessage, 'messages' | 'meta' | 'body' | 'contentType'> & {
  readonly contentType?: string;
  readonly messages?: readonly string[];
  readonly meta?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
};

export function eventRoutingKey(state: EventState, requestContentType: string): string {
  return `${routingWord(state)}.${requestContentType}`;
}

/** Builds an event for `<ns>.events`; send the same content to the request's `replyTo` queue when it set one. */
export function buildEvent(names: Names, event: EventInput): OutgoingMessage {
  const body = event.state === 'SUCCESS' ? (event.body ?? EMPTY_BODY) : EMPTY_BODY;
  return {
    exchange: names.exchanges.events,
    routingKey: eventRoutingKey(event.state, event.requestContentType),
    content: body,
    options: {
      // Design 5.3: informational events are at-most-once notifications; writing them to disk
      // would cost the broker a write per request for nothing.
      persistent: !INFORMATIONAL_EVENT_STATES.includes(event.state),
      messageId: randomUUID(),
      correlationId: event.correlationId,
      contentType: event.mimeType ?? (body.length > 0 ? 'application/octet-stream' : undefined),
      timestamp: amqpTimestamp(),
      headers: headerTable({
        [HEADERS.requestId]: event.requestId,
        [HEADERS.state]: event.state,
        [HEADERS.contentType]: event.contentType ?? event.requestContentType,
        [HEADERS.requestContentType]: event.requestContentType,
        [HEADERS.workflow]: event.workflow,
        [HEADERS.step]: event.step,
        [HEADERS.attempt]: event.attempt,
        [HEADERS.workerType]: event.workerType,
        [HEADERS.workerId]: event.workerId,
        [HEADERS.messages]:
          event.messages && event.messages.length > 0 ? [...event.messages] : undefined,
        [HEADERS.progress]: event.progress,
        ...requesterMetadataHeaders(event),
        ...metaHeaders(event.meta),
      }),
    },
  };
}

export function parseEvent(message: IncomingMessage): ParseResult<EventMessage> {
  const reader = new HeaderReader(message.properties.headers);
  const requestId = reader.required(FIELDS.requestId);
  const state = reader.required(FIELDS.state) as EventState | undefined;
  const contentType = reader.required(FIELDS.contentType);
  const requestContentType = reader.optional(FIELDS.requestContentType) ?? contentType;
  const event = {
    workflow: reader.optional(FIELDS.workflow),
    step: reader.optional(FIELDS.step),
    attempt: reader.optional(FIELDS.attempt),
    workerType: reader.optional(FIELDS.workerType),
    workerId: reader.optional(FIELDS.workerId),
    messages: reader.optional(FIELDS.messages) ?? [],
    progress: reader.optional(FIELDS.progress),
    meta: reader.meta(),
    ...readRequesterMetadata(reader),
  };
  if (
    reader.issues.length > 0 ||
    requestId === undefined ||
    state === undefined ||
    contentType === undefined ||
    requestContentType === undefined
  ) {
    return rejected('event message', reader.issues);
  }
  return parsed({
    ...event,
    requestId,
    state,
    contentType,
    requestContentType,
    correlationId: propertyText(message.properties.correlationId),
    mimeType: propertyText(message.properties.contentType),
    body: message.content,
  });
}
