import { Injectable } from '@nestjs/common';
import { DatabaseService, type Statement } from '../database/database.service';

/** One operator action as the audit log keeps it. */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  /** API key name, or `anonymous` when authentication is off. */
  readonly actor: string;
  /** `retry`, `cancel`, `delete`, `pause`, `resume`, `drain`, `resume-instance`, `sign-in`. */
  readonly action: string;
  /** What it applied to: `{ ids }`, `{ filter }`, `{ workerType }`, `{ instance }`. */
  readonly target: Record<string, unknown>;
  readonly count: number | null;
  readonly skipped: number | null;
  /** `done`, or the error that stopped it. */
  readonly outcome: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: Record<string, unknown>;
  count: number | null;
  skipped: number | null;
  outcome: string;
}

/** The SQL of the `audit_log` table. */
@Injectable()
export class AuditLogRepository {
  private readonly insertStatement: Statement;
  private readonly pageStatement: Statement;
  private readonly latestStatement: Statement;

  constructor(database: DatabaseService) {
    const table = database.table('audit_log');
    this.insertStatement = database.statement(
      'audit-insert',
      `INSERT INTO ${table} (actor, action, target, count, skipped, outcome) VALUES ($1, $2, $3, $4, $5, $6)`,
    );
    this.pageStatement = database.statement(
      'audit-page',
      `SELECT id::text AS id, at, actor, action, target, count, skipped, outcome FROM ${table}
       WHERE ($1::bigint IS NULL OR id < $1::bigint) ORDER BY id DESC LIMIT $2`,
    );
    this.latestStatement = database.statement(
      'audit-latest',
      `SELECT COALESCE(max(id), 0)::text AS id FROM ${table}`,
    );
    this.database = database;
  }

  private readonly database: DatabaseService;

  async append(entry: NewAuditEntry): Promise<void> {
    await this.database.query(this.insertStatement, [
      entry.actor,
      entry.action,
      JSON.stringify(entry.target),
      entry.count,
      entry.skipped,
      entry.outcome,
    ]);
  }

  /** Newest first, `limit` entries older than `before` (an id), when given. */
  async page(limit: number, before?: string): Promise<AuditEntry[]> {
    const rows = await this.database.query<AuditRow>(this.pageStatement, [before ?? null, limit]);
    return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
  }

  /** The newest entry's id ('0' when none): part of the live-update signature. */
  async latestId(): Promise<string> {
    const [row] = await this.database.query<{ id: string }>(this.latestStatement, []);
    return row?.id ?? '0';
  }
}
