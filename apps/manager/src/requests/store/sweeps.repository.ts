import { Injectable } from '@nestjs/common';
import { type RequestState, WAITING_REQUEST_STATES } from '@org/protocol';
import { DatabaseService, type Statement, type Tx } from '../../database/database.service';
import { rowColumns, type RequestRow } from '../engine/request-row';
import { BACKLOG, OUTSTANDING, sqlStates, TERMINAL } from './sql-states';

/** What comes due with time: schedules, request deadlines, job timeouts. */
export type DueKind = 'scheduled' | 'startBy' | 'timeout';

/** Which kept rows a retention rule deletes. */
export interface RetentionScope {
  readonly workflow: string | null;
  /** For a single worker type's requests (workflow null). */
  readonly workerType: string | null;
  readonly states: readonly RequestState[];
  readonly olderThanMs: number;
}

/** Waiting requests of a worker type in one state, and since when the oldest waits. */
export interface WaitingCount {
  readonly workerType: string;
  readonly state: RequestState;
  readonly count: number;
  readonly oldestSince: Date;
}

const WAITING = sqlStates(WAITING_REQUEST_STATES);

/**
 * The statements of the periodic sweeps: rows that came due (locked with SKIP LOCKED, so
 * replicas share the work), waiting rows relabelled as their type comes and goes, kept rows past
 * their retention and remembered ids past `WM_DEDUP_RETENTION_MS`, deleted in bounded batches.
 */
@Injectable()
export class SweepsRepository {
  private readonly due: Record<DueKind, Statement>;
  private readonly relabelStatement: Statement;
  private readonly retentionStatement: Statement;
  private readonly pruneStatement: Statement;
  private readonly waitingStatement: Statement;
  private readonly backlogTypesStatement: Statement;
  private readonly outstandingStatement: Statement;

  constructor(private readonly database: DatabaseService) {
    const requests = database.table('requests');
    const finished = database.table('finished_requests');
    const select = (name: string, where: string, order: string): Statement =>
      database.statement(
        name,
        `SELECT ${rowColumns()} FROM ${requests} WHERE ${where} ORDER BY ${order} LIMIT $1 FOR UPDATE SKIP LOCKED`,
      );
    this.due = {
      scheduled: select(
        'sweep-scheduled',
        `state = 'SCHEDULED' AND not_before <= now()`,
        'not_before',
      ),
      startBy: select(
        'sweep-start-by',
        `start_by IS NOT NULL AND state IN ${WAITING} AND start_by <= now()`,
        'start_by',
      ),
      timeout: select(
        'sweep-timeouts',
        `state IN ${OUTSTANDING} AND deadline IS NOT NULL AND deadline < now()`,
        'deadline',
      ),
    };
    // No history entry is worth a relabel's churn, and updated_at keeps when the wait began.
    this.relabelStatement = database.statement(
      'sweep-relabel',
      `UPDATE ${requests} SET state = $3
       WHERE id IN (SELECT id FROM ${requests} WHERE worker_type = $1 AND state = $2 LIMIT $4 FOR UPDATE SKIP LOCKED)
         AND state = $2
       RETURNING id`,
    );
    this.retentionStatement = database.statement(
      'sweep-retention',
      `WITH gone AS (
         DELETE FROM ${requests} WHERE id IN (
           SELECT id FROM ${requests}
           WHERE finished_at IS NOT NULL AND finished_at < now() - $4 * interval '1 millisecond'
             AND state = ANY($3::text[]) AND state IN ${TERMINAL} AND (graph_of IS NULL OR graph_of = id)
             AND (($1::text IS NOT NULL AND workflow = $1) OR ($1::text IS NULL AND workflow IS NULL AND worker_type = $2))
           LIMIT $5 FOR UPDATE SKIP LOCKED)
         RETURNING id, payload_sha256, state)
       INSERT INTO ${finished} (id, payload_sha256, state) SELECT id, payload_sha256, state FROM gone
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, finished_at = now()
       RETURNING id`,
    );
    this.pruneStatement = database.statement(
      'sweep-prune-finished',
      `DELETE FROM ${finished} WHERE id IN (
         SELECT id FROM ${finished} WHERE finished_at < now() - $1 * interval '1 millisecond'
         ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
    );
    this.waitingStatement = database.statement(
      'sweep-waiting',
      `SELECT worker_type AS "workerType", state, count(*)::int AS count, min(updated_at) AS "oldestSince"
       FROM ${requests} WHERE state IN ${WAITING} GROUP BY worker_type, state`,
    );
    this.outstandingStatement = database.statement(
      'sweep-outstanding',
      `SELECT worker_type AS "workerType", count(*)::int AS count FROM ${requests}
       WHERE state IN ${OUTSTANDING} GROUP BY worker_type`,
    );
    this.backlogTypesStatement = database.statement(
      'sweep-backlog-types',
      `SELECT DISTINCT worker_type AS "workerType", state FROM ${requests} WHERE state IN ${BACKLOG}`,
    );
  }

  /** Up to `limit` rows of a kind that came due, locked for this transaction. */
  async lockDue(tx: Tx, kind: DueKind, limit: number): Promise<RequestRow[]> {
    return tx.query<RequestRow>(this.due[kind], [limit]);
  }

  /** Moves up to `limit` waiting rows of a type from one waiting state to the other; returns how many. */
  async relabel(
    workerType: string,
    from: RequestState,
    to: RequestState,
    limit: number,
  ): Promise<number> {
    const rows = await this.database.query<{ id: string }>(this.relabelStatement, [
      workerType,
      from,
      to,
      limit,
    ]);
    return rows.length;
  }

  /** Deletes up to `limit` kept rows past their retention (their ids remembered); returns how many. */
  async deleteRetained(scope: RetentionScope, limit: number): Promise<number> {
    const rows = await this.database.query<{ id: string }>(this.retentionStatement, [
      scope.workflow,
      scope.workerType,
      scope.states,
      scope.olderThanMs,
      limit,
    ]);
    return rows.length;
  }

  /** Forgets up to `limit` finished ids older than `retentionMs`; returns how many. */
  async pruneFinished(retentionMs: number, limit: number): Promise<number> {
    const rows = await this.database.query<{ id: string }>(this.pruneStatement, [
      retentionMs,
      limit,
    ]);
    return rows.length;
  }

  /** Waiting requests per worker type and waiting state. */
  async waiting(): Promise<WaitingCount[]> {
    return this.database.query<WaitingCount>(this.waitingStatement, []);
  }

  /** Jobs outstanding (published or about to be, not answered) per worker type. */
  async outstanding(): Promise<Map<string, number>> {
    const rows = await this.database.query<{ workerType: string; count: number }>(
      this.outstandingStatement,
      [],
    );
    return new Map(rows.map((row) => [row.workerType, row.count]));
  }

  /** Worker types with requests waiting to be claimed, and in which state. */
  async backlogTypes(): Promise<Array<{ workerType: string; state: RequestState }>> {
    return this.database.query<{ workerType: string; state: RequestState }>(
      this.backlogTypesStatement,
      [],
    );
  }
}
