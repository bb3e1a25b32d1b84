import { randomUUID } from 'node:crypto';
import { HEADERS } from '../headers';
import { BATCH_CONTENT_TYPE } from '../media-types';
import {
  amqpTimestamp,
  type IncomingMessage,
  type OutgoingMessage,
} from '../messages/amqp-message';
import { FIELDS, HeaderReader, headerTable } from '../messages/header-fields';
import { parsed, rejected, type ParseResult } from '../validation';
import { decodeFrame, encodeFrames } from './frame-codec';
import { frameItemOf, incomingOf } from './frame-item';
import { type FrameLimits } from './frame-limits';

/** One item of a parsed batch: the single message it stands for, and what its parser made of it. */
export interface BatchItem<T> {
  /** 0-based position in the frame. */
  readonly index: number;
  /** The item as the single message a v1 sender would have published (for `requestIdentity`, say). */
  readonly message: IncomingMessage;
  /** The item's own parse: one malformed item does not condemn the others. */
  readonly parsed: ParseResult<T>;
}

/** One batch message and how many items it carries (the first `count` of what remained, in order). */
export interface BatchOutgoing {
  readonly message: OutgoingMessage;
  readonly count: number;
}

/** Where a batch goes and what its envelope says besides `wm-batch`. */
export interface BatchEnvelope {
  readonly exchange: string;
  readonly routingKey: string;
  readonly headers?: Readonly<Record<string, unknown>>;
}

/** True when the message is a batch frame (AMQP `contentType` `application/vnd.wm.batch`). */
export function isBatch(message: {
  readonly properties: { readonly contentType?: unknown };
}): boolean {
  return message.properties.contentType === BATCH_CONTENT_TYPE;
}

/**
 * Packs single messages of one kind into as few batch messages as the limits allow, in order.
 * Each batch is persistent when any of its items is.
 */
export function batchMessages(
  singles: readonly OutgoingMessage[],
  envelopeOf: (group: readonly OutgoingMessage[]) => BatchEnvelope,
  limits?: FrameLimits,
): BatchOutgoing[] {
  const frames = encodeFrames(singles.map(frameItemOf), limits);
  const batches: BatchOutgoing[] = [];
  let start = 0;
  for (const frame of frames) {
    const group = singles.slice(start, start + frame.count);
    start += frame.count;
    const envelope = envelopeOf(group);
    batches.push({
      count: frame.count,
      message: {
        exchange: envelope.exchange,
        routingKey: envelope.routingKey,
        content: frame.content,
        options: {
          persistent: group.some((single) => single.options.persistent),
          messageId: randomUUID(),
          contentType: BATCH_CONTENT_TYPE,
          timestamp: amqpTimestamp(),
          headers: headerTable({ ...envelope.headers, [HEADERS.batch]: frame.count }),
        },
      },
    });
  }
  return batches;
}

/** The one batch message of `batches`; a RangeError when the items needed more than one. */
export function onlyBatch(batches: readonly BatchOutgoing[], plural: string): OutgoingMessage {
  if (batches.length !== 1) {
    const total = batches.reduce((sum, batch) => sum + batch.count, 0);
    throw new RangeError(
      `${total} items do not fit in one batch frame (item or byte limit); ${plural}() splits them`,
    );
  }
  return batches[0]!.message;
}

/**
 * Parses a batch message: checks the envelope (`contentType`, `wm-batch`) and the frame, then
 * hands each item to the single-message parser. A malformed frame fails whole with its reason.
 */
export function parseBatch<T>(
  message: IncomingMessage,
  subject: string,
  parse: (item: IncomingMessage) => ParseResult<T>,
  limits?: FrameLimits,
): ParseResult<readonly BatchItem<T>[]> {
  if (!isBatch(message)) {
    return rejected(subject, [
      {
        path: 'contentType',
        message: `must be ${BATCH_CONTENT_TYPE}, got ${JSON.stringify(message.properties.contentType ?? null)}`,
      },
    ]);
  }
  const reader = new HeaderReader(message.properties.headers);
  const count = reader.required(FIELDS.batch);
  if (count === undefined) return rejected(subject, reader.issues);
  const frame = decodeFrame(message.content, { ...limits, expectedItems: count });
  if (!frame.ok) return rejected(subject, [{ path: 'body', message: frame.reason }]);
  return parsed(
    frame.items.map((item, index) => {
      const single = incomingOf(item, message);
      return { index, message: single, parsed: parse(single) };
    }),
  );
}
