import { Inject, Injectable } from '@nestjs/common';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService, type Statement } from '../database/database.service';

/** Bytes of a payload the detail page previews (the download has all of it). */
export const PAYLOAD_PREVIEW_BYTES = 64 * 1024;

/** Requests of one worker type (current step) and workflow in one state. */
export interface GroupCount {
  readonly workerType: string;
  readonly workflow: string | null;
  readonly state: string;
  readonly count: number;
  /** When the oldest of them last changed state (its wait or its failure began). */
  readonly oldestSince: string;
}

/**
 * The few reads the dashboard needs that the REST API has no service for: the input payload,
 * the overview's grouped counts, and a cheap "has anything changed" signature.
 * Listing, counts, details and every action go through the REST API's services.
 */
@Injectable()
export class DashboardReadsRepository {
  private readonly inputStatement: Statement;
  private readonly signatureStatement: Statement;
  private readonly groupsStatement: Statement;
  private readonly nowStatement: Statement;

  constructor(
    private readonly database: DatabaseService,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    const requests = database.table('requests');
    this.inputStatement = database.statement(
      'dashboard-input',
      `SELECT input, input_mime, input_content_type FROM ${requests} WHERE id = $1`,
    );
    this.groupsStatement = database.statement(
      'dashboard-groups',
      `SELECT worker_type, workflow, state, count(*)::int AS count, min(updated_at) AS oldest
       FROM ${requests} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    this.nowStatement = database.statement('dashboard-now', 'SELECT now() AS now');
    // Every state change appends to request_history (a trigger), so its newest id moves on any
    // change; with the instances' statuses it is the whole live-update signature, read by index.
    this.signatureStatement = database.statement(
      'dashboard-signature',
      `SELECT (SELECT COALESCE(max(id), 0) FROM ${database.table('request_history')})::text AS history,
              (SELECT COALESCE(string_agg(id || ':' || status || ':' ||
                        (last_seen < now() - $1 * interval '1 millisecond')::text, ',' ORDER BY id), '')
                 FROM ${database.table('worker_instances')}) AS instances`,
    );
  }

  async input(
    id: string,
  ): Promise<{ body: Buffer; mime: string | null; contentType: string } | undefined> {
    const [row] = await this.database.query<{
      input: Buffer;
      input_mime: string | null;
      input_content_type: string;
    }>(this.inputStatement, [id]);
    return row
      ? { body: row.input, mime: row.input_mime, contentType: row.input_content_type }
      : undefined;
  }

  /**
   * Changes whenever a request changes state or an instance appears, drains, goes, or falls
   * silent past the heartbeat expiry (the workers page's "stale").
   */
  async signature(): Promise<string> {
    const [row] = await this.database.query<{ history: string; instances: string }>(
      this.signatureStatement,
      [this.environment.heartbeatExpiryMs],
    );
    return row ? `${row.history}|${row.instances}` : '';
  }

  /** Counts by worker type, workflow and state: the overview's table, in one scan. */
  async groups(): Promise<GroupCount[]> {
    const rows = await this.database.query<{
      worker_type: string;
      workflow: string | null;
      state: string;
      count: number;
      oldest: Date;
    }>(this.groupsStatement, []);
    return rows.map((row) => ({
      workerType: row.worker_type,
      workflow: row.workflow,
      state: row.state,
      count: row.count,
      oldestSince: row.oldest.toISOString(),
    }));
  }

  /**
   * The database's clock: instances' ages are judged by it (their last_seen is written by it),
   * like the signature above, so the page and its change signals agree on "stale".
   */
  async now(): Promise<number> {
    const [row] = await this.database.query<{ now: Date }>(this.nowStatement, []);
    return row ? row.now.getTime() : Date.now();
  }
}
