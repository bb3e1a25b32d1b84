import { ConcurrencySlots } from '../src/runtime/concurrency-slots';

describe('ConcurrencySlots', () => {
  it('runs at most `size` items, first in first out, and goes on as slots free', () => {
    const started: number[] = [];
    const slots = new ConcurrencySlots<number>(2, (item) => started.push(item));
    for (const item of [1, 2, 3, 4]) slots.enqueue(item);
    expect(started).toEqual([1, 2]);
    expect(slots.queued).toBe(2);
    slots.release();
    expect(started).toEqual([1, 2, 3]);
    expect(slots.remove((item) => item === 4)).toEqual([4]);
    slots.release();
    expect(started).toEqual([1, 2, 3]);
  });

  it('handles items that finish while starting without recursion (100,000 in a row)', () => {
    let started = 0;
    const slots: ConcurrencySlots<number> = new ConcurrencySlots(1, () => {
      started += 1;
      slots.release();
    });
    for (let item = 0; item < 100_000; item++) slots.enqueue(item);
    expect(started).toBe(100_000);
    expect(slots.queued).toBe(0);
  });
});
