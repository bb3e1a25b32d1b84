import { type Client } from 'pg';
import { type SimulatedFleet } from '../fleet/simulated-fleet';

/** How often the leases are read. */
const SAMPLE_MS = 1000;

/**
 * Measures how long after a heartbeat left the fleet its lease was written: every second it
 * reads every instance's `last_seen` (the database clock, on this same machine as the fleet's)
 * and, for each lease that moved, takes `last_seen` minus the publication time of the newest
 * heartbeat published before it. A replica's view adds at most one `WM_LIVENESS_POLL_MS`.
 */
export class LeaseLagSampler {
  readonly lagsMs: number[] = [];
  private readonly seen: Float64Array;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private collecting = false;
  /** Only leases written after this (epoch ms) are read: a second's worth, not the whole table. */
  private since = 0;

  constructor(
    private readonly db: Client,
    private readonly fleet: SimulatedFleet,
  ) {
    this.seen = new Float64Array(fleet.size);
  }

  /** Starts reading; lags are recorded from the second read on (the first sets the baseline). */
  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sample().finally(() => {
        this.running = undefined;
      });
    }, SAMPLE_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async sample(): Promise<void> {
    const { rows } = await this.db.query<{ id: string; seen: number }>(
      `SELECT id, (extract(epoch FROM last_seen) * 1000)::float8 AS seen FROM worker_instances
       WHERE status = 'ready' AND last_seen > to_timestamp($1::float8 / 1000)`,
      [this.since],
    );
    let newest = this.since;
    for (const row of rows) {
      newest = Math.max(newest, row.seen);
      const index = this.fleet.indexOf(row.id);
      if (index === undefined) continue;
      const before = this.seen[index]!;
      this.seen[index] = row.seen;
      if (!this.collecting || before === 0 || row.seen <= before) continue;
      const last = this.fleet.lastPublished[index]!;
      // The lease moved for the newest heartbeat, or (read between two) for the one before it.
      const published = last <= row.seen + 5 ? last : this.fleet.previousPublished[index]!;
      if (published > 0) this.lagsMs.push(Math.max(0, row.seen - published));
    }
    // A little overlap: a transaction that started earlier may commit after this read.
    if (newest > 0) this.since = newest - 5000;
    this.collecting = true;
  }
}
