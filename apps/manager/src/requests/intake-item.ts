import { randomUUID } from 'node:crypto';
import {
  isBatch,
  isContentType,
  parseRequest,
  parseRequestBatch,
  type FrameLimits,
  type ParseResult,
  requestIdentity,
  type IncomingMessage,
  type RequestMessage,
} from '@org/protocol';

/** One request handed to intake, from the requests queue or from REST. */
export type IntakeItem =
  | {
      readonly kind: 'request';
      readonly requestId: string;
      readonly request: RequestMessage;
      /** The broker delivered this message before: a repetition, never a new submission. */
      readonly redelivered: boolean;
    }
  | {
      readonly kind: 'invalid';
      readonly requestId: string;
      readonly redelivered: boolean;
      /** Content type used to route the SKIPPED event (header, else routing key, else `unknown`). */
      readonly contentType: string;
      readonly correlationId?: string;
      readonly replyTo?: string;
      readonly messages: readonly string[];
    };

/** Content type used on the SKIPPED event of a request whose own content type is missing or malformed. */
export const UNKNOWN_CONTENT_TYPE = 'unknown';

/**
 * Reads a request message: its id (`wm-request-id`, else `messageId`, else a new one) and either
 * the parsed request or every reason it cannot be accepted.
 */
export function intakeItemOf(
  message: IncomingMessage,
  result: ParseResult<RequestMessage> = parseRequest(message),
): IntakeItem {
  if (result.ok) {
    return {
      kind: 'request',
      requestId: result.value.requestId ?? randomUUID(),
      request: result.value,
      redelivered: message.fields.redelivered,
    };
  }
  const identity = requestIdentity(message);
  const candidates = [identity.contentType, message.fields.routingKey];
  return {
    kind: 'invalid',
    requestId: identity.requestId ?? randomUUID(),
    redelivered: message.fields.redelivered,
    contentType:
      candidates.find((value): value is string => value !== undefined && isContentType(value)) ??
      UNKNOWN_CONTENT_TYPE,
    correlationId: identity.correlationId,
    replyTo: identity.replyTo,
    messages: result.error.messages(),
  };
}

/**
 * Reads a message of the requests queue: a single request (one item), or a request batch
 * (design 5.2), each item read as the single request it stands for, so one malformed item is
 * answered SKIPPED alone. A batch whose frame cannot be read fails whole, with its reasons.
 */
export function intakeItemsOf(
  message: IncomingMessage,
  limits: FrameLimits,
): ParseResult<readonly IntakeItem[]> {
  if (!isBatch(message)) return { ok: true, value: [intakeItemOf(message)] };
  const batch = parseRequestBatch(message, limits);
  if (!batch.ok) return batch;
  return { ok: true, value: batch.value.map((item) => intakeItemOf(item.message, item.parsed)) };
}
