import {
  DEFAULT_MAX_BATCH_BYTES,
  decodeFrame,
  encodeFrame,
  encodeFrames,
  MAX_BATCH_ITEMS,
  type FrameDecodeResult,
  type FrameItem,
} from '../src/index';
import { SeededRandom } from './support/seeded-random';

function randomItem(random: SeededRandom): FrameItem {
  const header: Record<string, unknown> = {
    messageId: random.text(40),
    'wm-request-id': random.text(30),
    'wm-attempt': random.int(1, 1_000_000),
  };
  if (random.chance(0.5)) header['correlationId'] = random.text(20);
  if (random.chance(0.5)) header['contentType'] = random.pick(['application/json', 'image/tiff']);
  if (random.chance(0.3)) header['replyTo'] = random.text(20);
  if (random.chance(0.5)) header['wm-retryable'] = random.chance(0.5);
  if (random.chance(0.5)) {
    header['wm-messages'] = Array.from({ length: random.int(0, 4) }, () => random.text(50));
  }
  for (let meta = random.int(0, 3); meta > 0; meta--) {
    header[`wm-meta-${random.text(8)}`] = random.text(60);
  }
  const size = random.pick([
    0,
    0,
    1,
    random.int(0, 64),
    random.int(0, 4096),
    random.int(0, 70_000),
  ]);
  return { header, body: random.bytes(size) };
}

function decoded(result: FrameDecodeResult): readonly FrameItem[] {
  if (!result.ok) throw new Error(`expected a valid frame, got: ${result.reason}`);
  return result.items;
}

function reason(result: FrameDecodeResult): string {
  if (result.ok) throw new Error('expected a malformed frame');
  return result.reason;
}

/** A frame written by hand: [header bytes, body bytes] pairs, lengths as given or computed. */
function handFrame(...blocks: Array<Buffer | number>): Buffer {
  return Buffer.concat(
    blocks.map((block) => {
      if (typeof block === 'number') {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(block);
        return length;
      }
      return block;
    }),
  );
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('frame codec: round trips (property, fixed seed)', () => {
  it('decodes what it encodes, for random items, sizes, unicode headers and empty bodies', () => {
    const random = new SeededRandom(20_261_129);
    for (let run = 0; run < 150; run++) {
      const items = Array.from({ length: random.int(1, run % 25 === 0 ? 1000 : 30) }, () =>
        randomItem(random),
      );
      const largest = Math.max(
        ...items.map(
          (item) => 8 + Buffer.byteLength(JSON.stringify(item.header)) + item.body.length,
        ),
      );
      const limits = {
        maxItems: random.int(1, MAX_BATCH_ITEMS),
        maxBytes: random.chance(0.5) ? DEFAULT_MAX_BATCH_BYTES : random.int(largest, largest * 4),
      };
      const frames = encodeFrames(items, limits);
      const back: FrameItem[] = [];
      for (const frame of frames) {
        expect(frame.count).toBeLessThanOrEqual(limits.maxItems);
        expect(frame.content.length).toBeLessThanOrEqual(limits.maxBytes);
        const result = decoded(
          decodeFrame(frame.content, { ...limits, expectedItems: frame.count }),
        );
        expect(result).toHaveLength(frame.count);
        for (const item of result) {
          // Zero copy: every body is a view into the frame's memory.
          expect(item.body.buffer).toBe(frame.content.buffer);
        }
        back.push(...result);
      }
      // Compared as JSON text: what the frame must preserve exactly, and far quicker than toEqual.
      expect(JSON.stringify(back.map((item) => item.header))).toBe(
        JSON.stringify(items.map((item) => item.header)),
      );
      expect(back.every((item, index) => item.body.equals(items[index]!.body))).toBe(true);
    }
  });

  it('writes the layout of design 5.2 byte for byte', () => {
    const frame = encodeFrame([
      { header: { 'wm-request-id': 'r1', messageId: 'm1' }, body: Buffer.from('hi') },
      { header: {}, body: Buffer.alloc(0) },
    ]);
    const header = json({ 'wm-request-id': 'r1', messageId: 'm1' });
    expect(frame).toEqual(handFrame(header.length, header, 2, Buffer.from('hi'), 2, json({}), 0));
  });

  it('packs into as few frames as the item and byte limits allow, in order', () => {
    const items = Array.from({ length: 7 }, (_, index) => ({
      header: { n: index },
      body: Buffer.alloc(100, index),
    }));
    expect(encodeFrames(items, { maxItems: 3 }).map((frame) => frame.count)).toEqual([3, 3, 1]);
    const itemSize = 8 + json({ n: 0 }).length + 100;
    expect(encodeFrames(items, { maxBytes: itemSize * 2 + 1 }).map((frame) => frame.count)).toEqual(
      [2, 2, 2, 1],
    );
    expect(encodeFrames(items).map((frame) => frame.count)).toEqual([7]);
  });

  it('refuses to encode nothing, an item that cannot fit any frame, or too many for one frame', () => {
    expect(() => encodeFrames([])).toThrow('a frame carries at least one item, got none');
    expect(() => encodeFrames([{ header: {}, body: Buffer.alloc(100) }], { maxBytes: 50 })).toThrow(
      'frame item 0 takes 110 bytes, over the frame limit of 50 bytes',
    );
    expect(() =>
      encodeFrame(
        Array.from({ length: 3 }, () => ({ header: {}, body: Buffer.alloc(0) })),
        {
          maxItems: 2,
        },
      ),
    ).toThrow('3 items do not fit in one frame (at most 2 items');
  });
});

describe('frame codec: malformed frames each get a clear reason', () => {
  const header = json({ 'wm-request-id': 'r1' });
  const valid = handFrame(header.length, header, 3, Buffer.from('abc'));

  it.each([
    ['empty', Buffer.alloc(0), 'frame is empty: it must carry 1 to 1000 items'],
    [
      'truncated header length',
      Buffer.from([0, 0]),
      'item 0: header length truncated at offset 0 (2 of 4 bytes)',
    ],
    [
      'header length past the end',
      handFrame(50, Buffer.from('{}')),
      'item 0: header length 50 at offset 0 runs past the end of the frame (2 bytes left)',
    ],
    [
      'header length over the header limit',
      handFrame(0xffffffff, Buffer.from('{}')),
      'item 0: header length 4294967295 at offset 0 is over the limit of 1048576 bytes',
    ],
    ['bad JSON', handFrame(5, Buffer.from('{"a":'), 0), 'item 0: header at offset 0 is not JSON'],
    [
      'JSON array',
      handFrame(2, Buffer.from('[]'), 0),
      'item 0: header at offset 0 must be a JSON object, got an array',
    ],
    ['JSON number', handFrame(1, Buffer.from('7'), 0), 'must be a JSON object, got number'],
    ['JSON null', handFrame(4, Buffer.from('null'), 0), 'must be a JSON object, got null'],
    [
      'invalid UTF-8',
      handFrame(3, Buffer.from([0x22, 0xc3, 0x22]), 0),
      'item 0: header at offset 0 is not valid UTF-8',
    ],
    [
      'truncated body length',
      Buffer.concat([handFrame(2, Buffer.from('{}')), Buffer.from([0])]),
      'item 0: body length truncated at offset 6 (1 of 4 bytes)',
    ],
    [
      'body length past the end',
      handFrame(2, Buffer.from('{}'), 10, Buffer.from('abc')),
      'item 0: body length 10 at offset 6 runs past the end of the frame (3 bytes left)',
    ],
    [
      'trailing bytes after the last item',
      Buffer.concat([valid, Buffer.from([1, 2])]),
      `item 1: header length truncated at offset ${valid.length} (2 of 4 bytes)`,
    ],
  ])('%s', (_what, content, expected) => {
    expect(reason(decodeFrame(content))).toContain(expected);
  });

  it('an item count that differs from wm-batch', () => {
    expect(reason(decodeFrame(Buffer.concat([valid, valid]), { expectedItems: 3 }))).toBe(
      'the message announces 3 items (wm-batch) but the frame holds 2',
    );
  });

  it('too many items', () => {
    expect(reason(decodeFrame(Buffer.concat([valid, valid, valid]), { maxItems: 2 }))).toBe(
      `frame holds more than 2 items (bytes left at offset ${2 * valid.length})`,
    );
  });

  it('oversize', () => {
    expect(reason(decodeFrame(valid, { maxBytes: valid.length - 1 }))).toBe(
      `frame of ${valid.length} bytes is over the limit of ${valid.length - 1} bytes`,
    );
  });

  it('a body length over the frame limit is refused before any read', () => {
    expect(
      reason(decodeFrame(handFrame(2, Buffer.from('{}'), 0x7fffffff), { maxBytes: 100 })),
    ).toBe('item 0: body length 2147483647 at offset 6 is over the limit of 100 bytes');
  });
});
