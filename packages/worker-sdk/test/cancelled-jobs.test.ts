import {
  CANCELLED_JOBS_MAX_ENTRIES,
  CANCELLED_JOBS_TTL_MS,
  CancelledJobs,
} from '../src/runtime/cancelled-jobs';

describe('CancelledJobs (bounded set of cancelled request id and attempt pairs)', () => {
  it('remembers a pair, for that attempt only', () => {
    const set = new CancelledJobs();
    set.add('r1', 2);
    expect(set.has('r1', 2)).toBe(true);
    expect(set.has('r1', 1)).toBe(false);
    expect(set.has('r1', 3)).toBe(false);
    expect(set.has('r2', 2)).toBe(false);
    // Ids are opaque: no confusion between "a" attempt 12 and "a1" attempt 2, or separators in ids.
    set.add('a', 12);
    expect(set.has('a1', 2)).toBe(false);
  });

  it('forgets a pair after the time bound (1 hour by default)', () => {
    expect(CANCELLED_JOBS_TTL_MS).toBe(3_600_000);
    let now = 1_000_000;
    const set = new CancelledJobs(10, 1000, () => now);
    set.add('r1', 1);
    now += 999;
    expect(set.has('r1', 1)).toBe(true);
    now += 2;
    expect(set.has('r1', 1)).toBe(false);
    expect(set.size).toBe(0);
  });

  it('keeps at most the size bound (10,000 by default), dropping the oldest first; a repeat refreshes', () => {
    expect(CANCELLED_JOBS_MAX_ENTRIES).toBe(10_000);
    let now = 0;
    const set = new CancelledJobs(3, 1000, () => now);
    set.add('a', 1);
    now += 10;
    set.add('b', 1);
    set.add('c', 1);
    set.add('a', 1); // refreshed: now the newest
    set.add('d', 1); // evicts the oldest: b
    expect(set.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((id) => set.has(id, 1))).toEqual([true, false, true, true]);
    // Expired entries go first when adding, whatever the size.
    now += 2000;
    set.add('e', 1);
    expect(set.size).toBe(1);
  });

  it('stays bounded under a flood of cancels', () => {
    const set = new CancelledJobs();
    for (let index = 0; index < CANCELLED_JOBS_MAX_ENTRIES * 3; index++) set.add(`r${index}`, 1);
    expect(set.size).toBe(CANCELLED_JOBS_MAX_ENTRIES);
    expect(set.has(`r${CANCELLED_JOBS_MAX_ENTRIES * 3 - 1}`, 1)).toBe(true);
    expect(set.has('r0', 1)).toBe(false);
  });
});
