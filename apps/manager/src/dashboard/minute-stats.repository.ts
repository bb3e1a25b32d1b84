import { Injectable } from '@nestjs/common';
import { DatabaseService, type Statement } from '../database/database.service';

/** One minute of one worker type's finished jobs, all replicas together. */
export interface MinuteStats {
  readonly workerType: string;
  /** Start of the minute, ISO 8601. */
  readonly minute: string;
  readonly succeeded: number;
  readonly failed: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

/** What one replica adds to one minute of one worker type. */
export interface MinuteDelta {
  readonly minute: Date;
  readonly workerType: string;
  readonly succeeded: number;
  readonly failed: number;
  readonly durationsMs: readonly number[];
}

/** Durations kept per minute, worker type and replica: enough for a p95, bounded in size. */
export const MAX_DURATION_SAMPLES = 500;

/** The SQL of `minute_stats`. */
@Injectable()
export class MinuteStatsRepository {
  private readonly addStatement: Statement;
  private readonly lastHourStatement: Statement;
  private readonly pruneStatement: Statement;

  constructor(private readonly database: DatabaseService) {
    const table = database.table('minute_stats');
    this.addStatement = database.statement(
      'minute-stats-add',
      `INSERT INTO ${table} AS t (minute, worker_type, replica, succeeded, failed, durations_ms)
       VALUES ($1, $2, $3, $4, $5, $6::double precision[])
       ON CONFLICT (minute, worker_type, replica) DO UPDATE SET
         succeeded = t.succeeded + excluded.succeeded,
         failed = t.failed + excluded.failed,
         durations_ms = (t.durations_ms || excluded.durations_ms)[1:${MAX_DURATION_SAMPLES}]`,
    );
    this.lastHourStatement = database.statement(
      'minute-stats-last-hour',
      `SELECT s.worker_type, s.minute, sum(s.succeeded)::int AS succeeded, sum(s.failed)::int AS failed,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d) FROM ${table} i, unnest(i.durations_ms) d
                WHERE i.minute = s.minute AND i.worker_type = s.worker_type) AS p50,
              (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY d) FROM ${table} i, unnest(i.durations_ms) d
                WHERE i.minute = s.minute AND i.worker_type = s.worker_type) AS p95
       FROM ${table} s WHERE s.minute >= date_trunc('minute', now()) - interval '59 minutes'
       GROUP BY s.worker_type, s.minute ORDER BY s.worker_type, s.minute`,
    );
    this.pruneStatement = database.statement(
      'minute-stats-prune',
      `DELETE FROM ${table} WHERE minute < now() - interval '2 hours'`,
    );
  }

  async add(replica: string, deltas: readonly MinuteDelta[]): Promise<void> {
    for (const delta of deltas) {
      await this.database.query(this.addStatement, [
        delta.minute,
        delta.workerType,
        replica,
        delta.succeeded,
        delta.failed,
        delta.durationsMs,
      ]);
    }
    await this.database.query(this.pruneStatement, []);
  }

  async lastHour(): Promise<MinuteStats[]> {
    const rows = await this.database.query<{
      worker_type: string;
      minute: Date;
      succeeded: number;
      failed: number;
      p50: number | null;
      p95: number | null;
    }>(this.lastHourStatement, []);
    const round = (value: number | null) => (value === null ? null : Math.round(value));
    return rows.map((row) => ({
      workerType: row.worker_type,
      minute: row.minute.toISOString(),
      succeeded: row.succeeded,
      failed: row.failed,
      p50Ms: round(row.p50),
      p95Ms: round(row.p95),
    }));
  }
}
