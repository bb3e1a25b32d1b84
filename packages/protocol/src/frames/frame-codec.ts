import {
  FRAME_LENGTH_BYTES,
  MAX_FRAME_HEADER_BYTES,
  resolveFrameLimits,
  type FrameLimits,
} from './frame-limits';

/**
 * One item of a frame (design 5.2): its header object (the item's `wm-*` headers plus
 * `messageId`, `correlationId`, `contentType` and, on requests, `replyTo`) and its body bytes.
 */
export interface FrameItem {
  readonly header: Readonly<Record<string, unknown>>;
  readonly body: Buffer;
}

/** What decoding a frame gives: every item, or the reason the frame is malformed. Never throws. */
export type FrameDecodeResult =
  | { readonly ok: true; readonly items: readonly FrameItem[] }
  | { readonly ok: false; readonly reason: string };

export interface FrameDecodeOptions extends FrameLimits {
  /** The item count the message announces (`wm-batch`); a frame holding another count is malformed. */
  readonly expectedItems?: number;
}

/** A frame's bytes and how many items it holds. */
export interface EncodedFrame {
  readonly content: Buffer;
  readonly count: number;
}

interface EncodedItem {
  readonly header: Buffer;
  readonly body: Buffer;
  readonly size: number;
}

/**
 * Encodes items into as few frames as the limits allow, in order (one frame when they all fit).
 * Throws a RangeError for an item that cannot fit in any frame, and for no items at all.
 */
export function encodeFrames(items: readonly FrameItem[], limits?: FrameLimits): EncodedFrame[] {
  const { maxItems, maxBytes } = resolveFrameLimits(limits);
  if (items.length === 0) throw new RangeError('a frame carries at least one item, got none');
  const frames: EncodedFrame[] = [];
  let pending: EncodedItem[] = [];
  let pendingBytes = 0;
  for (const [index, item] of items.entries()) {
    const encoded = encodeItem(item, index);
    if (encoded.size > maxBytes) {
      throw new RangeError(
        `frame item ${index} takes ${encoded.size} bytes, over the frame limit of ${maxBytes} bytes`,
      );
    }
    if (pending.length === maxItems || pendingBytes + encoded.size > maxBytes) {
      frames.push(assemble(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    }
    pending.push(encoded);
    pendingBytes += encoded.size;
  }
  frames.push(assemble(pending, pendingBytes));
  return frames;
}

/** Encodes items into exactly one frame; throws a RangeError when they do not fit in one. */
export function encodeFrame(items: readonly FrameItem[], limits?: FrameLimits): Buffer {
  const frames = encodeFrames(items, limits);
  if (frames.length > 1) {
    const { maxItems, maxBytes } = resolveFrameLimits(limits);
    throw new RangeError(
      `${items.length} items do not fit in one frame (at most ${maxItems} items and ${maxBytes} bytes); split them`,
    );
  }
  return frames[0]!.content;
}

/**
 * Decodes a frame. Bodies are views into `content` (no copy). A frame that breaks the layout or
 * the limits is reported with the first problem found, naming the item and the byte offset.
 */
export function decodeFrame(content: Buffer, options: FrameDecodeOptions = {}): FrameDecodeResult {
  let limits;
  try {
    limits = resolveFrameLimits(options);
  } catch (error) {
    return failed((error as Error).message);
  }
  const { maxItems, maxBytes } = limits;
  if (content.length > maxBytes) {
    return failed(`frame of ${content.length} bytes is over the limit of ${maxBytes} bytes`);
  }
  if (content.length === 0) return failed(`frame is empty: it must carry 1 to ${maxItems} items`);
  const items: FrameItem[] = [];
  let offset = 0;
  while (offset < content.length) {
    const index = items.length;
    if (index === maxItems) {
      return failed(`frame holds more than ${maxItems} items (bytes left at offset ${offset})`);
    }
    const header = readBlock(content, offset, index, 'header', MAX_FRAME_HEADER_BYTES);
    if (typeof header === 'string') return failed(header);
    const parsed = parseHeader(header.bytes, index, offset);
    if (typeof parsed === 'string') return failed(parsed);
    const body = readBlock(content, header.end, index, 'body', maxBytes);
    if (typeof body === 'string') return failed(body);
    items.push({ header: parsed, body: body.bytes });
    offset = body.end;
  }
  if (options.expectedItems !== undefined && items.length !== options.expectedItems) {
    return failed(
      `the message announces ${options.expectedItems} items (wm-batch) but the frame holds ${items.length}`,
    );
  }
  return { ok: true, items };
}

function encodeItem(item: FrameItem, index: number): EncodedItem {
  if (!Buffer.isBuffer(item.body))
    throw new TypeError(`frame item ${index}: body must be a Buffer`);
  const header = Buffer.from(JSON.stringify(item.header), 'utf8');
  if (header.length > MAX_FRAME_HEADER_BYTES) {
    throw new RangeError(
      `frame item ${index}: header of ${header.length} bytes is over the limit of ${MAX_FRAME_HEADER_BYTES} bytes`,
    );
  }
  return {
    header,
    body: item.body,
    size: 2 * FRAME_LENGTH_BYTES + header.length + item.body.length,
  };
}

function assemble(items: readonly EncodedItem[], bytes: number): EncodedFrame {
  const content = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const item of items) {
    offset = content.writeUInt32BE(item.header.length, offset);
    offset += item.header.copy(content, offset);
    offset = content.writeUInt32BE(item.body.length, offset);
    offset += item.body.copy(content, offset);
  }
  return { content, count: items.length };
}

function readBlock(
  content: Buffer,
  offset: number,
  index: number,
  what: 'header' | 'body',
  maxLength: number,
): { bytes: Buffer; end: number } | string {
  const left = content.length - offset;
  if (left < FRAME_LENGTH_BYTES) {
    return `item ${index}: ${what} length truncated at offset ${offset} (${left} of ${FRAME_LENGTH_BYTES} bytes)`;
  }
  const length = content.readUInt32BE(offset);
  const start = offset + FRAME_LENGTH_BYTES;
  if (length > maxLength) {
    return `item ${index}: ${what} length ${length} at offset ${offset} is over the limit of ${maxLength} bytes`;
  }
  if (length > content.length - start) {
    return `item ${index}: ${what} length ${length} at offset ${offset} runs past the end of the frame (${content.length - start} bytes left)`;
  }
  return { bytes: content.subarray(start, start + length), end: start + length };
}

// Fatal: a header that is not UTF-8 is refused rather than read with replacement characters.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseHeader(
  bytes: Buffer,
  index: number,
  offset: number,
): Readonly<Record<string, unknown>> | string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return `item ${index}: header at offset ${offset} is not valid UTF-8`;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `item ${index}: header at offset ${offset} is not JSON (${(error as Error).message})`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return `item ${index}: header at offset ${offset} must be a JSON object, got ${kind}`;
  }
  return value as Readonly<Record<string, unknown>>;
}

function failed(reason: string): FrameDecodeResult {
  return { ok: false, reason };
}
