import { HEADERS } from '../headers';
import { type IncomingMessage, type OutgoingMessage } from '../messages/amqp-message';
import { type FrameItem } from './frame-codec';

/**
 * The AMQP properties an item carries in its header object, beside its headers (design 5.2).
 * Everything else about an item (exchange, persistence, timestamp) is the batch message's.
 */
export const FRAME_ITEM_PROPERTIES = [
  'messageId',
  'correlationId',
  'contentType',
  'replyTo',
] as const;

const PROPERTY_NAMES: ReadonlySet<string> = new Set(FRAME_ITEM_PROPERTIES);

/** The frame item of a single message: its headers and the four item properties, and its body. */
export function frameItemOf(message: OutgoingMessage): FrameItem {
  const { options } = message;
  const header: Record<string, unknown> = {};
  if (options.messageId !== undefined) header['messageId'] = options.messageId;
  if (options.correlationId !== undefined) header['correlationId'] = options.correlationId;
  if (options.contentType !== undefined) header['contentType'] = options.contentType;
  if (options.replyTo !== undefined) header['replyTo'] = options.replyTo;
  for (const [name, value] of Object.entries(options.headers)) {
    if (value !== undefined) header[name] = value;
  }
  return { header, body: message.content };
}

/**
 * The single message an item stands for, as the v1 parsers read it: the item's headers and
 * properties, and the delivery of the batch message that carried it (`redelivered`, the quorum
 * queue's delivery count, the timestamp).
 */
export function incomingOf(item: FrameItem, batch: IncomingMessage): IncomingMessage {
  // Object.fromEntries defines own properties, so a "__proto__" key stays a plain (unknown) header.
  const headers = Object.fromEntries(
    Object.entries(item.header).filter(([name]) => !PROPERTY_NAMES.has(name)),
  );
  const deliveryCount = batch.properties.headers?.[HEADERS.deliveryCount];
  if (deliveryCount !== undefined && !(HEADERS.deliveryCount in headers)) {
    headers[HEADERS.deliveryCount] = deliveryCount;
  }
  return {
    content: item.body,
    fields: batch.fields,
    properties: {
      headers,
      messageId: item.header['messageId'],
      correlationId: item.header['correlationId'],
      contentType: item.header['contentType'],
      replyTo: item.header['replyTo'],
      timestamp: batch.properties.timestamp,
    },
  };
}
