import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_INSTANCE_CONCURRENCY } from '@org/protocol';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService, type Statement, type Tx } from '../database/database.service';
import { LivenessDatabase } from './liveness-database';
import { type InstanceStats, type InstanceWrite } from './worker-message-batch';

/** Status of an instance row that an `unregister` removed: a tombstone, never live. */
const UNREGISTERED = 'unregistered';

/** Liveness of one worker type, aggregated by the database over its instances. */
export interface TypeLiveness {
  readonly type: string;
  /** `ready` instances heard from within `WM_HEARTBEAT_EXPIRY_MS` by the database's clock. */
  readonly liveInstances: number;
  /** Sum of the live instances' advertised concurrency (`DEFAULT_INSTANCE_CONCURRENCY` when none). */
  readonly concurrency: number;
  /** Smallest advertised batch size when every live instance advertises one, else undefined. */
  readonly batch: number | undefined;
  /** Instances on record (live, draining or silent, not yet pruned). */
  readonly knownInstances: number;
}

/** One instance as stored, with its liveness judged by the database's clock. */
export interface InstanceRecord {
  readonly id: string;
  readonly type: string;
  readonly status: 'ready' | 'draining';
  readonly live: boolean;
  readonly concurrency: number | null;
  readonly batch: number | null;
  readonly version: string | null;
  readonly host: string | null;
  readonly pid: number | null;
  readonly startedAt: string | null;
  readonly contract: string | null;
  readonly stats: InstanceStats;
  readonly registeredAt: Date;
  readonly lastSeenAt: Date;
}

interface InstanceRow {
  id: string;
  type: string;
  status: 'ready' | 'draining';
  live: boolean;
  concurrency: number | null;
  batch: number | null;
  version: string | null;
  host: string | null;
  pid: number | null;
  started_at: string | null;
  contract: string | null;
  stats: InstanceStats;
  registered_at: Date;
  last_seen: Date;
}

interface LivenessRow {
  type: string;
  live_instances: number;
  concurrency: number;
  min_batch: number | null;
  batched: number;
  known: number;
}

/** The shape of each element of the JSON array a batch is written from. */
const RECORD_COLUMNS =
  'id text, type text, status text, concurrency int, batch int, version text, host text, pid int, ' +
  'started_at text, contract text, stats jsonb';

/**
 * Owns every statement on `worker_instances`: the leases written in batches by whichever replica
 * took the worker messages, read by every replica. `last_seen` is always the database's `now()`.
 */
@Injectable()
export class InstanceRepository {
  private readonly registerSql: Statement;
  private readonly heartbeatSql: Statement;
  private readonly unregisterSql: Statement;
  private readonly livenessSql: Statement;
  private readonly listingSql: Statement;
  private readonly lookupSql: Statement;
  private readonly pruneSql: Statement;

  constructor(
    db: DatabaseService,
    private readonly connections: LivenessDatabase,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    const t = db.table('worker_instances');
    const columns =
      'id, type, status, concurrency, batch, version, host, pid, started_at, contract, stats, registered_at, last_seen';
    const values =
      'r.id, r.type, r.status, r.concurrency, r.batch, r.version, r.host, r.pid, r.started_at, r.contract, r.stats, now(), now()';
    const keep = (column: string): string =>
      `${column} = COALESCE(EXCLUDED.${column}, i.${column})`;
    // A registration starts the row afresh, tombstone included (the same id registering again).
    this.registerSql = db.statement(
      'instances:register',
      `INSERT INTO ${t} AS i (${columns})
       SELECT ${values} FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD_COLUMNS})
       ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, status = EXCLUDED.status,
         concurrency = EXCLUDED.concurrency, batch = EXCLUDED.batch, version = EXCLUDED.version,
         host = EXCLUDED.host, pid = EXCLUDED.pid, started_at = EXCLUDED.started_at,
         contract = EXCLUDED.contract, stats = EXCLUDED.stats, registered_at = now(), last_seen = now()`,
    );
    // A heartbeat merges into the row; it never revives an unregistered instance (a heartbeat
    // published before the unregister may be stored after it by another replica).
    this.heartbeatSql = db.statement(
      'instances:heartbeat',
      `INSERT INTO ${t} AS i (${columns})
       SELECT ${values} FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD_COLUMNS})
       ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, status = EXCLUDED.status,
         ${['concurrency', 'batch', 'version', 'host', 'pid', 'started_at', 'contract'].map(keep).join(', ')},
         stats = i.stats || EXCLUDED.stats, last_seen = now()
       WHERE i.status <> '${UNREGISTERED}'`,
    );
    this.unregisterSql = db.statement(
      'instances:unregister',
      `UPDATE ${t} SET status = '${UNREGISTERED}', last_seen = now() WHERE id = ANY($1::text[])`,
    );
    this.livenessSql = db.statement(
      'instances:liveness',
      `SELECT type,
         count(*) FILTER (WHERE live)::int AS live_instances,
         COALESCE(sum(COALESCE(concurrency, $2::int)) FILTER (WHERE live), 0)::int AS concurrency,
         min(batch) FILTER (WHERE live) AS min_batch,
         count(batch) FILTER (WHERE live)::int AS batched,
         count(*)::int AS known
       FROM (SELECT type, concurrency, batch,
               status = 'ready' AND last_seen > now() - make_interval(secs => $1::int / 1000.0) AS live
             FROM ${t} WHERE status <> '${UNREGISTERED}') AS instances
       GROUP BY type`,
    );
    const select = `SELECT id, type, status, concurrency, batch, version, host, pid, started_at, contract,
         stats, registered_at, last_seen,
         status = 'ready' AND last_seen > now() - make_interval(secs => $1::int / 1000.0) AS live
       FROM ${t}`;
    this.listingSql = db.statement(
      'instances:list',
      `${select} WHERE status <> '${UNREGISTERED}' ORDER BY type, id`,
    );
    this.lookupSql = db.statement(
      'instances:find',
      `${select} WHERE type = $2 AND id = $3 AND status <> '${UNREGISTERED}'`,
    );
    // Bounded: a replica deletes at most $3 rows per statement, so pruning never holds many locks.
    this.pruneSql = db.statement(
      'instances:prune',
      `DELETE FROM ${t} WHERE id IN (
         SELECT id FROM ${t}
         WHERE last_seen < now() - make_interval(secs => $2::int / 1000.0)
            OR (status = '${UNREGISTERED}' AND last_seen < now() - make_interval(secs => $1::int / 1000.0))
         LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
    );
  }

  /** Writes one batch's instances inside the caller's transaction. */
  async write(
    tx: Tx,
    instances: readonly InstanceWrite[],
    unregistered: readonly string[],
  ): Promise<void> {
    const registering = instances.filter((write) => write.registering);
    const beating = instances.filter((write) => !write.registering);
    if (registering.length > 0) await tx.query(this.registerSql, [recordsJson(registering)]);
    if (beating.length > 0) await tx.query(this.heartbeatSql, [recordsJson(beating)]);
    if (unregistered.length > 0) await tx.query(this.unregisterSql, [unregistered]);
  }

  /** Per type: live instances, their capacity, and how many are on record. */
  async liveness(): Promise<TypeLiveness[]> {
    const rows = await this.connections.query<LivenessRow>(this.livenessSql, [
      this.environment.heartbeatExpiryMs,
      DEFAULT_INSTANCE_CONCURRENCY,
    ]);
    return rows.map((row) => ({
      type: row.type,
      liveInstances: row.live_instances,
      concurrency: row.concurrency,
      batch:
        row.live_instances > 0 && row.batched === row.live_instances && row.min_batch !== null
          ? row.min_batch
          : undefined,
      knownInstances: row.known,
    }));
  }

  /** Every instance on record, by type then id. */
  async list(): Promise<InstanceRecord[]> {
    const rows = await this.connections.query<InstanceRow>(this.listingSql, [
      this.environment.heartbeatExpiryMs,
    ]);
    return rows.map(recordOf);
  }

  /** One instance of a type, or undefined when it is not on record (or unregistered). */
  async find(type: string, id: string): Promise<InstanceRecord | undefined> {
    const [row] = await this.connections.query<InstanceRow>(this.lookupSql, [
      this.environment.heartbeatExpiryMs,
      type,
      id,
    ]);
    return row ? recordOf(row) : undefined;
  }

  /**
   * Deletes at most `limit` instances silent for longer than `retentionMs`, and tombstones older
   * than the expiry (by then no stale heartbeat of theirs is in flight). Returns the count.
   */
  async prune(retentionMs: number, limit: number): Promise<number> {
    const rows = await this.connections.query(this.pruneSql, [
      this.environment.heartbeatExpiryMs,
      retentionMs,
      limit,
    ]);
    return rows.length;
  }
}

function recordsJson(writes: readonly InstanceWrite[]): string {
  return JSON.stringify(
    writes.map((write) => ({
      id: write.id,
      type: write.type,
      status: write.status,
      concurrency: write.concurrency ?? null,
      batch: write.batch ?? null,
      version: write.version ?? null,
      host: write.host ?? null,
      pid: write.pid ?? null,
      started_at: write.startedAt ?? null,
      contract: write.contract ?? null,
      stats: write.stats,
    })),
  );
}

function recordOf(row: InstanceRow): InstanceRecord {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    live: row.live,
    concurrency: row.concurrency,
    batch: row.batch,
    version: row.version,
    host: row.host,
    pid: row.pid,
    startedAt: row.started_at,
    contract: row.contract,
    stats: row.stats,
    registeredAt: row.registered_at,
    lastSeenAt: row.last_seen,
  };
}
