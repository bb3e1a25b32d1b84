/**
 * Payload bytes this replica holds in memory at once (`WM_MAX_INFLIGHT_BYTES`, design 5.1):
 * claims take what their inputs weigh before loading them and give it back once the broker
 * confirmed their jobs. A claim always gets at least one row when nothing else is held, so one
 * payload larger than the whole budget still moves.
 */
export class ByteBudget {
  private held = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly capacity: number) {}

  /** Bytes free now. */
  available(): number {
    return Math.max(0, this.capacity - this.held);
  }

  /** Bytes held now. */
  inUse(): number {
    return this.held;
  }

  /**
   * Picks the longest prefix of `sizes` that fits what is free (at least one when nothing is
   * held) and takes its bytes; returns how many were taken.
   */
  takePrefix(sizes: readonly number[]): number {
    let total = 0;
    let count = 0;
    for (const size of sizes) {
      const fits = this.held + total + size <= this.capacity;
      if (!fits && !(count === 0 && this.held === 0)) break;
      total += size;
      count += 1;
    }
    this.held += total;
    return count;
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves the next time bytes are given back. */
  freed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
