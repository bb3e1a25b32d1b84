/**
 * A small seeded generator (mulberry32) for property and fuzz tests: the same seed gives the
 * same cases on every run, so a failure can be replayed.
 */
const ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyz0123456789-_/.',
  'éàüßçñøå',
  '日本語中文한국어',
  '"\\\n\t\u0000\u001f',
].map((alphabet) => [...alphabet]);
const EMOJI = ['😀', '🚀', '👩‍💻', '🇫🇷'];
// Module-level copies: under Jest every global (Math included) is looked up through the test
// context's global object, which V8 cannot cache; in a hot loop that is a hundred times slower.
const imul = Math.imul;
const floor = Math.floor;

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return (this.word() >>> 0) / 4294967296;
  }

  /** 32 random bits, as a signed integer. */
  word(): number {
    // The state stays a signed 32-bit integer: V8 keeps it unboxed (an unsigned one above 2^31
    // is a heap number on every step, hundreds of times slower).
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return t ^ (t >>> 14);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(0, values.length - 1)]!;
  }

  bytes(length: number): Buffer {
    const buffer = Buffer.alloc(length);
    for (let index = 0; index < length; index += 4) {
      const word = this.word();
      for (let shift = 0; shift < 4 && index + shift < length; shift++) {
        buffer[index + shift] = (word >>> (shift * 8)) & 0xff;
      }
    }
    return buffer;
  }

  /** A string mixing ASCII, accents, CJK, emoji (surrogate pairs), quotes and control characters. */
  text(maxLength: number): string {
    let result = '';
    const length = this.int(0, maxLength);
    for (let index = 0; index < length; index++) {
      result += this.chance(0.05) ? this.pick(EMOJI) : this.pick(this.pick(ALPHABETS));
    }
    return result;
  }
}
