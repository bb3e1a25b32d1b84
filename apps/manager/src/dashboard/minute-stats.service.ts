import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { RequestTimings } from '../requests/request-timings';
import {
  MAX_DURATION_SAMPLES,
  type MinuteDelta,
  type MinuteStats,
  MinuteStatsRepository,
} from './minute-stats.repository';

/** How often a replica writes what it counted. @default 5000 ms */
export const MINUTE_STATS_FLUSH_MS = 5_000;

/** Longest the last write may hold a stop. @default 2000 ms */
export const FINAL_FLUSH_BOUND_MS = 2_000;

const SUCCEEDED = new Set(['SUCCESS']);
const FAILED = new Set(['ERROR', 'INVALID_CONTENT']);

interface Pending {
  minute: Date;
  workerType: string;
  succeeded: number;
  failed: number;
  durationsMs: number[];
}

/**
 * The overview's per-minute charts: every job that ended on this replica (its response applied:
 * SUCCESS, ERROR or INVALID_CONTENT), counted per minute and worker type with its duration when
 * this replica published the job, as `RequestTimings` observes it for the metrics. Written to
 * `minute_stats` every {@link MINUTE_STATS_FLUSH_MS} and before the charts are read, so every
 * replica draws the same charts; nothing here reads the requests table, whose successful rows
 * may be deleted at once.
 */
@Injectable()
export class MinuteStatsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MinuteStats');
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly timings: RequestTimings,
    private readonly repository: MinuteStatsRepository,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

  onModuleInit(): void {
    this.timings.attach({
      jobConfirmed: () => undefined,
      responseApplied: (workerType, status, processingMs) =>
        this.count(workerType, status, processingMs),
    });
    this.timer = setInterval(() => void this.flush(), MINUTE_STATS_FLUSH_MS);
    this.timer.unref();
  }

  /** The last counts are written on the way out, but a database that is away never holds a stop. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => {
        bound = setTimeout(resolve, FINAL_FLUSH_BOUND_MS);
      }),
    ]);
    clearTimeout(bound);
  }

  /** This replica's counts so far, then every replica's last hour. */
  async lastHour(): Promise<MinuteStats[]> {
    await this.flush();
    return this.repository.lastHour();
  }

  private count(workerType: string, status: string, processingMs: number | undefined): void {
    const succeeded = SUCCEEDED.has(status);
    if (!succeeded && !FAILED.has(status)) return;
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const key = `${minute.getTime()}|${workerType}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { minute, workerType, succeeded: 0, failed: 0, durationsMs: [] };
      this.pending.set(key, entry);
    }
    if (succeeded) entry.succeeded += 1;
    else entry.failed += 1;
    if (processingMs !== undefined && entry.durationsMs.length < MAX_DURATION_SAMPLES)
      entry.durationsMs.push(processingMs);
  }

  /** Writes what was counted; one write at a time, a failed one is added back for the next. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const deltas: MinuteDelta[] = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.repository.add(this.environment.replicaId, deltas);
      } catch (error) {
        for (const delta of deltas) this.restore(delta);
        this.logger.warn(`per-minute stats not written: ${(error as Error).message}`);
      }
    });
    return this.flushing;
  }

  private restore(delta: MinuteDelta): void {
    const key = `${delta.minute.getTime()}|${delta.workerType}`;
    const entry = this.pending.get(key);
    if (!entry) {
      this.pending.set(key, { ...delta, durationsMs: [...delta.durationsMs] });
      return;
    }
    entry.succeeded += delta.succeeded;
    entry.failed += delta.failed;
    entry.durationsMs.push(
      ...delta.durationsMs.slice(0, MAX_DURATION_SAMPLES - entry.durationsMs.length),
    );
  }
}
