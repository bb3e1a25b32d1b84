import { HeldJobs } from '../../src/requests/dispatch/held-jobs';

describe('HeldJobs: the jobs whose leases a replica renews', () => {
  it('holds a job from its claim through its publish until the broker settles it', () => {
    const held = new HeldJobs();
    const job = { id: 'a', attempt: 1 };
    held.claim([job]);
    expect(held.holds('a', 1)).toBe(true);
    expect(held.holds('a', 2)).toBe(false);
    held.publish([job]);
    expect(held.holds('a', 1)).toBe(true);
    expect(held.keys()).toEqual([job]);
    held.settled([job]);
    expect(held.holds('a', 1)).toBe(false);
    expect(held.keys()).toEqual([]);
  });

  it('lets go of a claim whose transaction rolled back, but not of a newer attempt', () => {
    const held = new HeldJobs();
    held.claim([{ id: 'a', attempt: 2 }]);
    held.unclaim([{ id: 'a', attempt: 1 }]);
    expect(held.holds('a', 2)).toBe(true);
    held.unclaim([{ id: 'a', attempt: 2 }]);
    expect(held.holds('a', 2)).toBe(false);
  });

  it('renews the keys held elsewhere (owed DISPATCHED records) even when it holds none itself', () => {
    const held = new HeldJobs();
    expect(held.keys([{ id: 'owed', attempt: 1 }])).toEqual([{ id: 'owed', attempt: 1 }]);
    held.publish([{ id: 'both', attempt: 1 }]);
    expect(held.keys([{ id: 'both', attempt: 1 }])).toEqual([{ id: 'both', attempt: 1 }]);
  });

  it('stops renewing a claim never published after a minute, so the sweep sends it', () => {
    const held = new HeldJobs();
    held.claim([{ id: 'stuck', attempt: 1 }], 0);
    expect(held.keys([], 59_000)).toEqual([{ id: 'stuck', attempt: 1 }]);
    expect(held.keys([], 61_000)).toEqual([]);
    expect(held.holds('stuck', 1)).toBe(false);
  });
});
