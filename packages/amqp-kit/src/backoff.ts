/**
 * Exponential backoff with jitter for reconnects: the first attempt is immediate, then
 * `initialMs`, doubling up to `maxMs`, each delay drawn from its upper half so that a fleet of
 * workers cut off together does not reconnect in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 250,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt, in ms. */
  next(): number {
    const attempt = this.attempt++;
    if (attempt === 0) return 0;
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(attempt - 1, 20));
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** A connection was fully set up: start over. */
  reset(): void {
    this.attempt = 0;
  }
}

/** A sleep that can be cut short (stop() must not wait out a 30 s reconnect delay). */
export class InterruptibleSleep {
  private wakers = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  interrupt(): void {
    for (const wake of [...this.wakers]) wake();
  }
}
