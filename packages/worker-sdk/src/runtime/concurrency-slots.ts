/**
 * Runs queued work at most `size` at a time, first in first out. `start` is called for each item
 * when a slot frees; the item's owner calls `release()` once its work is done (maybe before
 * `start` returns: the queue then goes on in a loop, not by recursion).
 */
export class ConcurrencySlots<T> {
  private running = 0;
  private queue: T[] = [];
  private head = 0;
  private pumping = false;

  constructor(
    private readonly size: number,
    private readonly start: (item: T) => void,
  ) {}

  /** Items waiting for a slot. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  enqueue(item: T): void {
    this.queue.push(item);
    this.pump();
  }

  release(): void {
    this.running -= 1;
    this.pump();
  }

  /** Takes the waiting items matching `predicate` out of the queue and returns them. */
  remove(predicate: (item: T) => boolean): T[] {
    const removed: T[] = [];
    const kept: T[] = [];
    for (let index = this.head; index < this.queue.length; index++) {
      const item = this.queue[index]!;
      (predicate(item) ? removed : kept).push(item);
    }
    this.queue = kept;
    this.head = 0;
    return removed;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running < this.size && this.head < this.queue.length) {
        const item = this.queue[this.head]!;
        this.head += 1;
        this.running += 1;
        this.start(item);
      }
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
    } finally {
      this.pumping = false;
    }
  }
}
