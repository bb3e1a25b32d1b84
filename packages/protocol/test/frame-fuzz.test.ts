import {
  BATCH_CONTENT_TYPE,
  buildJobBatch,
  buildParts,
  decodeFrame,
  HEADERS,
  namesFor,
  parseJobBatch,
  parseParts,
  type IncomingMessage,
} from '../src/index';
import { SeededRandom } from './support/seeded-random';

const names = namesFor('t');
const MUTATIONS = 6000;

/** A valid job batch frame of a random shape. */
function validFrame(random: SeededRandom): { content: Buffer; count: number } {
  const count = random.int(1, 12);
  const message = buildJobBatch(
    names,
    Array.from({ length: count }, (_, index) => ({
      requestId: `r-${index}-${random.text(6)}`,
      attempt: random.int(1, 9),
      workerType: 'fuzz',
      contentType: 'test/input',
      step: 0,
      messageId: `m-${index}`,
      meta: random.chance(0.5) ? { note: random.text(20) } : undefined,
      body: random.bytes(random.pick([0, 3, 40, 300])),
    })),
  );
  return { content: message.content, count };
}

/** One random corruption of a frame: the kinds of damage a network, a bug or an attacker causes. */
function mutate(random: SeededRandom, frame: Buffer): Buffer {
  const copy = Buffer.from(frame);
  switch (random.int(0, 6)) {
    case 0: // flip bytes
      for (let flips = random.int(1, 4); flips > 0; flips--) {
        const at = random.int(0, copy.length - 1);
        copy[at] = copy[at]! ^ random.int(1, 255);
      }
      return copy;
    case 1: // truncate
      return copy.subarray(0, random.int(0, copy.length - 1));
    case 2: // append garbage
      return Buffer.concat([copy, random.bytes(random.int(1, 20))]);
    case 3: {
      // overwrite a 4-byte window (often a length prefix) with a random or extreme value
      const at = random.int(0, Math.max(0, copy.length - 4));
      copy.writeUInt32BE(
        random.pick([0, 1, 0xffffffff, 0x7fffffff, random.int(0, 0xffffffff)]),
        at,
      );
      return copy;
    }
    case 4: {
      // splice random bytes into the middle
      const at = random.int(0, copy.length);
      return Buffer.concat([
        copy.subarray(0, at),
        random.bytes(random.int(1, 16)),
        copy.subarray(at),
      ]);
    }
    case 5: {
      // cut a slice out
      const from = random.int(0, copy.length - 1);
      return Buffer.concat([copy.subarray(0, from), copy.subarray(random.int(from, copy.length))]);
    }
    default:
      return random.bytes(random.int(0, 64));
  }
}

function batchMessage(content: Buffer, count: unknown): IncomingMessage {
  return {
    content,
    fields: { exchange: names.exchanges.jobs, routingKey: 'fuzz', redelivered: false },
    properties: { contentType: BATCH_CONTENT_TYPE, headers: { [HEADERS.batch]: count } },
  };
}

describe(`frame fuzz: ${MUTATIONS} random mutations of valid frames (fixed seed)`, () => {
  it('every decode and parse returns ok or a reason, and never throws', () => {
    const random = new SeededRandom(0xf4a3e);
    let malformed = 0;
    for (let run = 0; run < MUTATIONS; run++) {
      const { content, count } = validFrame(random);
      const mutated = mutate(random, content);
      const announced = random.chance(0.8) ? count : random.pick([0, -1, 'x', 1001, count + 1]);
      let decoded;
      let batch;
      let parts;
      try {
        decoded = decodeFrame(mutated, {
          expectedItems: typeof announced === 'number' ? announced : undefined,
        });
        batch = parseJobBatch(batchMessage(mutated, announced));
        parts = parseParts(mutated);
      } catch (error) {
        throw new Error(`run ${run} threw on ${mutated.toString('hex').slice(0, 200)}`, {
          cause: error,
        });
      }
      if (!decoded.ok) {
        malformed += 1;
        expect(decoded.reason.length).toBeGreaterThan(10);
      }
      if (!batch.ok) expect(batch.error.issues.length).toBeGreaterThan(0);
      else for (const item of batch.value) expect(typeof item.parsed.ok).toBe('boolean');
      if (!parts.ok) expect(parts.error.messages().length).toBeGreaterThan(0);
    }
    // The mutations mostly break the frame; the few that keep a valid layout are fine too.
    expect(malformed).toBeGreaterThan(MUTATIONS / 2);
  });

  it('a valid parts body survives the same treatment without a throw', () => {
    const random = new SeededRandom(7);
    const body = buildParts([
      { stepId: 'describe', contentType: 'product/described', body: Buffer.from('{"a":1}') },
      {
        stepId: 'thumbnail',
        contentType: 'image/png',
        mimeType: 'image/png',
        body: random.bytes(50),
      },
    ]);
    for (let run = 0; run < 1000; run++) {
      expect(() => parseParts(mutate(random, body))).not.toThrow();
    }
  });
});
