import { type DispatchPolicy } from '@org/protocol';
import { AnswerPace } from '../../src/requests/dispatch/answer-pace';
import { windowSize } from '../../src/requests/dispatch/dispatch-window';

const policy: DispatchPolicy = {
  maxInFlight: undefined,
  rateLimit: undefined,
  fairness: 'none',
  validatePayload: false,
};

describe('windowSize (design 5.1, widened by the horizon up to 8 × concurrency)', () => {
  it.each([
    // [live concurrency, answered per second, horizon ms, maxInFlight, window]
    [0, 1000, 1000, undefined, 0],
    [32, 0, 1000, undefined, 64],
    [32, 50, 1000, undefined, 64],
    [32, 100, 1000, undefined, 100],
    [32, 100.2, 1000, undefined, 101],
    [32, 1000, 250, undefined, 250],
    [32, 1000, 0, undefined, 64],
    // Never over 8 × concurrency, however fast the answers.
    [32, 100_000, 1000, undefined, 256],
    [32, 1000, 1000, 100, 100],
    [32, 0, 1000, 10, 10],
  ])(
    'concurrency %i answering %i/s, horizon %i ms, maxInFlight %s: %i',
    (liveConcurrency, answeredPerSecond, horizonMs, maxInFlight, expected) => {
      expect(
        windowSize({ liveConcurrency, answeredPerSecond, horizonMs }, { ...policy, maxInFlight }),
      ).toBe(expected);
    },
  );
});

describe('AnswerPace', () => {
  it('is 0 for a type never answered', () => {
    expect(new AnswerPace().perSecond('t', 1000)).toBe(0);
  });

  it('counts the last second, per type', () => {
    const pace = new AnswerPace();
    for (let ms = 0; ms < 1000; ms += 10) pace.record('a', 2, 10_000 + ms);
    pace.record('b', 5, 10_500);
    expect(pace.perSecond('a', 10_999)).toBe(200);
    expect(pace.perSecond('b', 10_999)).toBe(5);
  });

  it('divides by a whole second even in the first one: answers of slots started together', () => {
    const pace = new AnswerPace();
    pace.record('a', 8, 600);
    expect(pace.perSecond('a', 600)).toBe(8);
    pace.record('a', 8, 1_200);
    expect(pace.perSecond('a', 1_200)).toBe(16);
  });

  it('forgets answers older than a second, and the type once idle', () => {
    const pace = new AnswerPace();
    pace.record('a', 100, 0);
    pace.record('a', 50, 950);
    expect(pace.perSecond('a', 1_050)).toBe(50);
    expect(pace.perSecond('a', 5_000)).toBe(0);
    // Counted again from its next answer, as a new type.
    pace.record('a', 10, 9_000);
    expect(pace.perSecond('a', 9_000)).toBe(10);
  });

  it('ignores empty records', () => {
    const pace = new AnswerPace();
    pace.record('a', 0, 0);
    expect(pace.perSecond('a', 0)).toBe(0);
  });
});
