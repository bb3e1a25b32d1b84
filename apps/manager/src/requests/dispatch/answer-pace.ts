/** Width of one counting bucket. */
const BUCKET_MS = 100;
/** How far back answers are counted: long enough to smooth a burst of one commit. */
const SPAN_MS = 1000;
const BUCKETS = SPAN_MS / BUCKET_MS;

interface TypePace {
  /** Jobs that left the window per bucket, the bucket of `at` last. */
  readonly counts: number[];
  /** Start of the newest bucket (ms). */
  at: number;
}

/**
 * How fast each worker type's jobs leave the dispatch window (answered, cancelled, expired), as
 * this replica saw them over the last second. The window is sized from it (see
 * `windowSize`): a type whose workers answer faster than the dispatch round trip gets enough jobs
 * outstanding to cover that round trip. Pure bookkeeping with the clock passed in, so it is
 * unit-tested without timers.
 */
export class AnswerPace {
  private readonly types = new Map<string, TypePace>();

  /** `count` jobs of `type` left the window at `now`. */
  record(type: string, count: number, now: number): void {
    if (count <= 0) return;
    const pace = this.advance(type, now) ?? this.start(type, now);
    pace.counts[BUCKETS - 1]! += count;
  }

  /** Jobs of `type` leaving the window per second over the last second (0 when none did). */
  perSecond(type: string, now: number): number {
    const pace = this.advance(type, now);
    if (!pace) return 0;
    const total = pace.counts.reduce((sum, count) => sum + count, 0);
    if (total === 0) {
      this.types.delete(type);
      return 0;
    }
    // Always over a whole second, even in a type's first one: workers that answer together
    // (slots started at once) would otherwise look several times faster than they are.
    return (total * 1000) / SPAN_MS;
  }

  private start(type: string, now: number): TypePace {
    const pace: TypePace = { counts: new Array<number>(BUCKETS).fill(0), at: now };
    this.types.set(type, pace);
    return pace;
  }

  /** Shifts the type's buckets so that the last one holds `now`. */
  private advance(type: string, now: number): TypePace | undefined {
    const pace = this.types.get(type);
    if (!pace) return undefined;
    const steps = Math.floor((now - pace.at) / BUCKET_MS);
    if (steps <= 0) return pace;
    const shift = Math.min(steps, BUCKETS);
    pace.counts.splice(0, shift);
    for (let index = 0; index < shift; index++) pace.counts.push(0);
    pace.at += steps * BUCKET_MS;
    return pace;
  }
}
