import { type Client } from 'pg';

/** One reading of a table's statistics (`pg_stat_user_tables`). */
export interface DeadTupleSample {
  readonly at: number;
  readonly dead: number;
  readonly live: number;
  /** `n_tup_upd + n_tup_del`: row versions the table has made dead so far. */
  readonly produced: number;
  readonly autovacuums: number;
  /** The oldest snapshot any session of the database held (s): what keeps dead rows from going. */
  readonly oldestSnapshotSeconds: number;
}

/**
 * Samples the dead tuples of one table of the namespace's schema every `everyMs`, with the row
 * versions made dead so far and the oldest snapshot held in the database, to tell a sawtooth
 * (autovacuum reclaiming every round) from growth without bound (see {@link judgeDeadTuples}).
 */
export class DeadTupleSampler {
  readonly samples: DeadTupleSample[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly db: Client,
    private readonly schema: string,
    private readonly table: string,
    private readonly everyMs: number,
  ) {}

  /** `autovacuum_naptime` of the server, in ms: one autovacuum round of each database. */
  static async naptimeMs(db: Client): Promise<number> {
    const { rows } = await db.query<{ seconds: number }>(
      `SELECT setting::int AS seconds FROM pg_settings WHERE name = 'autovacuum_naptime'`,
    );
    return (rows[0]?.seconds ?? 60) * 1000;
  }

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    await this.sample();
  }

  get max(): number {
    return this.samples.reduce((max, sample) => Math.max(max, sample.dead), 0);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const next = Date.now() + this.everyMs;
      await this.sample();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
  }

  private async sample(): Promise<void> {
    try {
      const { rows } = await this.db.query<Omit<DeadTupleSample, 'at'>>(
        `SELECT n_dead_tup::int AS dead, n_live_tup::int AS live,
                (n_tup_upd + n_tup_del)::float8 AS produced,
                autovacuum_count::int AS autovacuums,
                (SELECT coalesce(max(extract(epoch FROM now() - xact_start)), 0)::float8
                   FROM pg_stat_activity WHERE datname = current_database()
                   AND backend_xmin IS NOT NULL AND pid <> pg_backend_pid()) AS "oldestSnapshotSeconds"
           FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2`,
        [this.schema, this.table],
      );
      if (rows[0]) this.samples.push({ at: Date.now(), ...rows[0] });
    } catch {
      // A failed read leaves a gap in the series; the verdict uses what was read.
    }
  }
}

/** What {@link judgeDeadTuples} decided. */
export interface DeadTupleVerdict {
  readonly max: number;
  readonly last: number;
  /** Row versions made dead in the window before the last sample (undefined: run too short). */
  readonly producedInWindow: number | undefined;
  readonly windowMs: number;
  /** False when the samples span less than the window: the figure is reported, not judged. */
  readonly judged: boolean;
  readonly pass: boolean;
}

/**
 * Bounded dead tuples, judged on the last sample: no more dead row versions may remain than the
 * table made dead within the last `windowMs` (three autovacuum rounds, `autovacuum_naptime`, by
 * the caller). Why this rule: each autovacuum round reclaims every version dead before it started
 * (and HOT pruning reclaims updated versions on the way), so a deployment that keeps up has a
 * sawtooth whose teeth never hold more than about one round of production, while one that
 * cannot reclaim (a transaction left open on a pooled server connection holds the xmin horizon,
 * autovacuum starved) keeps everything it ever made dead, and its last sample exceeds the window's
 * production as soon as the run is longer than the window. Three rounds rather than one leave
 * room for a late autovacuum worker on a busy server without letting real growth through. A run
 * shorter than the window cannot tell the two apart: its figures are reported, not judged.
 */
export function judgeDeadTuples(
  samples: readonly DeadTupleSample[],
  windowMs: number,
): DeadTupleVerdict {
  const last = samples[samples.length - 1];
  const max = samples.reduce((peak, sample) => Math.max(peak, sample.dead), 0);
  // No reading at all is a measurement that failed: judged, and failing.
  if (!last)
    return { max, last: 0, producedInWindow: undefined, windowMs, judged: true, pass: false };
  const base = [...samples].reverse().find((sample) => sample.at <= last.at - windowMs);
  if (!base)
    return {
      max,
      last: last.dead,
      producedInWindow: undefined,
      windowMs,
      judged: false,
      pass: true,
    };
  const producedInWindow = last.produced - base.produced;
  return {
    max,
    last: last.dead,
    producedInWindow,
    windowMs,
    judged: true,
    pass: last.dead <= producedInWindow,
  };
}
