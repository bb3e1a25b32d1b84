import { Injectable } from '@nestjs/common';
import { DatabaseService, type Statement, type Tx } from '../../database/database.service';
import {
  dispatchColumns,
  rowColumns,
  type DispatchRow,
  type RequestRow,
} from '../engine/request-row';
import { BACKLOG, OUTSTANDING } from './sql-states';

/** A dispatch to confirm or renew: a row recorded TO_DISPATCH with this attempt. */
export interface DispatchKey {
  readonly id: string;
  readonly attempt: number;
}

/** A candidate for dispatch: its id and its input's size (the claim is bounded by bytes). */
export interface Candidate {
  readonly id: string;
  readonly size: number;
}

/** A worker type's persisted dispatch controls (pause, rate-limit bucket). */
export interface DispatchControl {
  readonly paused: boolean;
  readonly pauseReason: string | null;
  readonly pausedBy: string | null;
  readonly pausedAt: Date | null;
  /** Tokens left in the bucket at `tokensAt`; null before the first limited dispatch. */
  readonly tokens: number | null;
  /** Milliseconds since `tokensAt`, by the database's clock. */
  readonly elapsedMs: number | null;
}

/** Most tenants (owners) one fair claim rotates over. */
const MAX_FAIR_KEYS = 1000;

/**
 * The statements of the dispatch window (design 5.1). A type's claims are serialized across
 * replicas by a transaction-level advisory lock (safe behind a transaction-mode pooler), under
 * which the jobs outstanding are counted and the backlog is read in dispatch order: priority,
 * then (for fair types) round robin over tenants or owners, then arrival.
 */
@Injectable()
export class DispatchRepository {
  private readonly lockStatement: Statement;
  private readonly outstandingStatement: Statement;
  private readonly backlogStatement: Statement;
  private readonly controlStatement: Statement;
  private readonly tokensStatement: Statement;
  private readonly pauseStatement: Statement;
  private readonly controlsStatement: Statement;
  private readonly candidatesStatement: Statement;
  private readonly fairCandidatesStatement: Statement;
  private readonly loadStatement: Statement;
  private readonly markStatement: Statement;
  private readonly renewStatement: Statement;
  private readonly expiredStatement: Statement;

  constructor(private readonly database: DatabaseService) {
    const requests = database.table('requests');
    const controls = database.table('dispatch_controls');
    this.lockStatement = database.statement(
      'dispatch-lock',
      `SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`,
    );
    this.outstandingStatement = database.statement(
      'dispatch-outstanding',
      `SELECT count(*)::int AS count FROM ${requests} WHERE worker_type = $1 AND state IN ${OUTSTANDING}`,
    );
    this.backlogStatement = database.statement(
      'dispatch-backlog',
      `SELECT EXISTS (SELECT 1 FROM ${requests} WHERE worker_type = $1 AND state IN ${BACKLOG}) AS backlog`,
    );
    this.controlStatement = database.statement(
      'dispatch-control',
      `SELECT paused, pause_reason AS "pauseReason", paused_by AS "pausedBy", paused_at AS "pausedAt", tokens,
         EXTRACT(EPOCH FROM (now() - tokens_at)) * 1000 AS "elapsedMs"
       FROM ${controls} WHERE worker_type = $1`,
    );
    this.tokensStatement = database.statement(
      'dispatch-tokens',
      `INSERT INTO ${controls} (worker_type, tokens, tokens_at) VALUES ($1, $2, now())
       ON CONFLICT (worker_type) DO UPDATE SET tokens = EXCLUDED.tokens, tokens_at = EXCLUDED.tokens_at`,
    );
    this.pauseStatement = database.statement(
      'dispatch-pause',
      `INSERT INTO ${controls} AS c (worker_type, paused, pause_reason, paused_by, paused_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $2 THEN now() END)
       ON CONFLICT (worker_type) DO UPDATE SET paused = EXCLUDED.paused, pause_reason = EXCLUDED.pause_reason,
         paused_by = EXCLUDED.paused_by,
         paused_at = CASE WHEN EXCLUDED.paused THEN COALESCE(c.paused_at, now()) END`,
    );
    this.controlsStatement = database.statement(
      'dispatch-controls',
      `SELECT worker_type AS "workerType", paused, pause_reason AS "pauseReason", paused_by AS "pausedBy",
         paused_at AS "pausedAt", NULL::float8 AS tokens, NULL::float8 AS "elapsedMs"
       FROM ${controls}`,
    );
    this.candidatesStatement = database.statement(
      'dispatch-candidates',
      `SELECT id, octet_length(input)::int AS size FROM ${requests}
       WHERE worker_type = $1 AND state IN ${BACKLOG}
       ORDER BY priority DESC, seq LIMIT $2 FOR UPDATE SKIP LOCKED`,
    );
    // Round robin: the distinct fair keys of the backlog (a loose index scan, bounded), the
    // first $2 requests of each in priority then arrival order, ranked by priority, then by
    // their place within their key, then by arrival.
    this.fairCandidatesStatement = database.statement(
      'dispatch-fair-candidates',
      `WITH RECURSIVE fair_keys(fair_key, n) AS (
         (SELECT fair_key, 1 FROM ${requests}
          WHERE worker_type = $1 AND state IN ${BACKLOG} AND fair_key IS NOT NULL ORDER BY fair_key LIMIT 1)
         UNION ALL
         SELECT (SELECT r.fair_key FROM ${requests} r
                 WHERE r.worker_type = $1 AND r.state IN ${BACKLOG} AND r.fair_key IS NOT NULL
                   AND r.fair_key > k.fair_key ORDER BY r.fair_key LIMIT 1), k.n + 1
         FROM fair_keys k WHERE k.fair_key IS NOT NULL AND k.n < ${MAX_FAIR_KEYS}),
       picked AS (
         SELECT p.id, p.priority, p.seq, p.place FROM fair_keys k, LATERAL (
           SELECT r.id, r.priority, r.seq, row_number() OVER (ORDER BY r.priority DESC, r.seq) AS place
           FROM ${requests} r
           WHERE r.worker_type = $1 AND r.state IN ${BACKLOG} AND r.fair_key = k.fair_key
           ORDER BY r.priority DESC, r.seq LIMIT $2) p
         WHERE k.fair_key IS NOT NULL
         UNION ALL
         SELECT r.id, r.priority, r.seq, row_number() OVER (ORDER BY r.priority DESC, r.seq)
         FROM (SELECT id, priority, seq FROM ${requests}
               WHERE worker_type = $1 AND state IN ${BACKLOG} AND fair_key IS NULL
               ORDER BY priority DESC, seq LIMIT $2) r),
       chosen AS (SELECT id, row_number() OVER (ORDER BY priority DESC, place, seq) AS rank
                  FROM picked ORDER BY priority DESC, place, seq LIMIT $2)
       SELECT r.id, octet_length(r.input)::int AS size FROM ${requests} r JOIN chosen c ON c.id = r.id
       WHERE r.state IN ${BACKLOG}
       ORDER BY c.rank FOR UPDATE OF r SKIP LOCKED`,
    );
    this.loadStatement = database.statement(
      'dispatch-load',
      `SELECT ${dispatchColumns()} FROM ${requests} WHERE id = ANY($1::text[])`,
    );
    this.markStatement = database.statement(
      'dispatch-mark',
      `WITH locked AS (
         SELECT r.id FROM ${requests} r JOIN unnest($1::text[], $2::int[]) AS u(id, attempt)
           ON r.id = u.id AND r.attempt = u.attempt
         WHERE r.state = 'TO_DISPATCH' ORDER BY r.id FOR UPDATE OF r)
       UPDATE ${requests} r SET state = 'DISPATCHED', lease_until = NULL, updated_at = now()
       FROM locked WHERE r.id = locked.id
       RETURNING r.id`,
    );
    this.renewStatement = database.statement(
      'dispatch-renew',
      `UPDATE ${requests} r SET lease_until = now() + $3 * interval '1 millisecond'
       FROM unnest($1::text[], $2::int[]) AS u(id, attempt)
       WHERE r.id = u.id AND r.attempt = u.attempt AND r.state = 'TO_DISPATCH'`,
    );
    this.expiredStatement = database.statement(
      'dispatch-expired',
      `SELECT ${rowColumns()} FROM ${requests} WHERE state = 'TO_DISPATCH' AND lease_until < now()
       ORDER BY lease_until LIMIT $1 FOR UPDATE SKIP LOCKED`,
    );
  }

  /** Serializes claims of one worker type across replicas until the transaction ends. */
  async lockType(tx: Tx, workerType: string): Promise<void> {
    await tx.query(this.lockStatement, [`${this.database.schema}:dispatch`, workerType]);
  }

  /** Jobs of the type published or about to be, not yet answered: the window in use. */
  async outstanding(tx: Tx, workerType: string): Promise<number> {
    const [row] = await tx.query<{ count: number }>(this.outstandingStatement, [workerType]);
    return row?.count ?? 0;
  }

  /** Whether requests of the type wait to be claimed (QUEUED or NO_WORKER_AVAILABLE). */
  async hasBacklog(tx: Tx, workerType: string): Promise<boolean> {
    const [row] = await tx.query<{ backlog: boolean }>(this.backlogStatement, [workerType]);
    return row?.backlog ?? false;
  }

  async control(tx: Tx, workerType: string): Promise<DispatchControl | undefined> {
    const [row] = await tx.query<DispatchControl>(this.controlStatement, [workerType]);
    return row;
  }

  /** Every type with stored controls (paused ones among them). */
  async controls(): Promise<Array<DispatchControl & { workerType: string }>> {
    return this.database.query<DispatchControl & { workerType: string }>(
      this.controlsStatement,
      [],
    );
  }

  async saveTokens(tx: Tx, workerType: string, tokens: number): Promise<void> {
    await tx.query(this.tokensStatement, [workerType, tokens]);
  }

  async setPaused(
    workerType: string,
    paused: boolean,
    reason: string | null,
    by: string | null,
  ): Promise<void> {
    await this.database.query(this.pauseStatement, [workerType, paused, reason, by]);
  }

  /** Up to `limit` waiting requests of the type in dispatch order, locked for this claim. */
  async candidates(tx: Tx, workerType: string, limit: number, fair: boolean): Promise<Candidate[]> {
    return tx.query<Candidate>(fair ? this.fairCandidatesStatement : this.candidatesStatement, [
      workerType,
      limit,
    ]);
  }

  /** Rows with their inputs, to decide their dispatch and build their jobs. */
  async load(tx: Tx, ids: readonly string[]): Promise<DispatchRow[]> {
    if (ids.length === 0) return [];
    const rows = await tx.query<RequestRow & { seq: string; input_base64: string }>(
      this.loadStatement,
      [ids],
    );
    return rows.map(({ input_base64, ...row }) => ({
      ...row,
      input: Buffer.from(input_base64, 'base64'),
    }));
  }

  /** Records confirmed jobs as DISPATCHED (unless answered meanwhile); returns the ids marked. */
  async markDispatched(keys: readonly DispatchKey[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.database.query<{ id: string }>(this.markStatement, [
      keys.map((key) => key.id),
      keys.map((key) => key.attempt),
    ]);
    return new Set(rows.map((row) => row.id));
  }

  /** Extends the leases of jobs whose publish this replica still waits on. */
  async renewLeases(keys: readonly DispatchKey[], leaseMs: number): Promise<void> {
    if (keys.length === 0) return;
    await this.database.query(this.renewStatement, [
      keys.map((key) => key.id),
      keys.map((key) => key.attempt),
      leaseMs,
    ]);
  }

  /** Rows whose dispatch lease expired (their replica died before the confirm), locked. */
  async lockExpiredLeases(tx: Tx, limit: number): Promise<RequestRow[]> {
    return tx.query<RequestRow>(this.expiredStatement, [limit]);
  }
}
