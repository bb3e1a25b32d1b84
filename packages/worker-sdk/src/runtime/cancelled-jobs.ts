import { type CancelledLookup } from '../execution/start-check';

/** At most this many cancelled (request id, attempt) pairs are remembered; the oldest go first. */
export const CANCELLED_JOBS_MAX_ENTRIES = 10_000;

/**
 * A cancelled pair is remembered this long: longer than a job waits in its queue (the manager
 * keeps at most a dispatch window of jobs outstanding per type), and jobs carrying a deadline
 * are refused by it anyway. 1 hour.
 */
export const CANCELLED_JOBS_TTL_MS = 60 * 60 * 1000;

/**
 * Cancel orders remembered by (request id, attempt), so a job cancelled while it still sits in
 * the queue (or in this instance's prefetch) is acknowledged without running when it arrives
 * (design 5.1, "Never run what has ended"). Bounded in size and in time: memory stays flat
 * whatever the cancel rate.
 */
export class CancelledJobs implements CancelledLookup {
  // Insertion order is expiry order (every entry lives as long), so pruning stops at the first live one.
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly maxEntries = CANCELLED_JOBS_MAX_ENTRIES,
    private readonly ttlMs = CANCELLED_JOBS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  add(requestId: string, attempt: number): void {
    const key = keyOf(requestId, attempt);
    this.expiries.delete(key);
    this.expiries.set(key, this.now() + this.ttlMs);
    this.prune();
  }

  has(requestId: string, attempt: number): boolean {
    // Asked for every job that starts; almost always empty, so skip building the key.
    if (this.expiries.size === 0) return false;
    const key = keyOf(requestId, attempt);
    const expiry = this.expiries.get(key);
    if (expiry === undefined) return false;
    if (expiry > this.now()) return true;
    this.expiries.delete(key);
    return false;
  }

  get size(): number {
    return this.expiries.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, expiry] of this.expiries) {
      if (this.expiries.size <= this.maxEntries && expiry > now) return;
      this.expiries.delete(key);
    }
  }
}

function keyOf(requestId: string, attempt: number): string {
  return `${attempt}\u0000${requestId}`;
}
