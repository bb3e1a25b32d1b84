import { Backoff } from '../src/index';

describe('Backoff', () => {
  it('retries at once, then doubles with jitter up to the ceiling, and starts over after a reset', () => {
    const low = new Backoff(250, 2000, () => 0);
    expect([low.next(), low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([
      0, 125, 250, 500, 1000, 1000,
    ]);
    const high = new Backoff(250, 2000, () => 1);
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([
      0, 250, 500, 1000, 2000,
    ]);
    high.reset();
    expect(high.next()).toBe(0);
  });
});
