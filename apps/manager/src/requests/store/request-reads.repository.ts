import { Injectable } from '@nestjs/common';
import { REQUEST_STATES, type RequestState } from '@org/protocol';
import { DatabaseService, type Statement } from '../../database/database.service';
import { type ListRequestsQuery, type RequestFilter, type RequestSort } from '../request-filter';
import {
  type RequestCounts,
  type RequestGroupCount,
  type RequestHistoryEntry,
  type RequestPage,
  type RequestSummary,
  type StoredInput,
} from '../request-views';
import { decodeCursor, encodeCursor, sortKeySql } from './request-cursor';
import { filterConditions, type SqlConditions } from './request-filter-sql';

/** @default page size of a listing */
export const DEFAULT_PAGE_SIZE = 50;

interface SummaryRow {
  id: string;
  state: RequestState;
  content_type: string;
  workflow: string | null;
  steps: string[];
  step: number;
  worker_type: string;
  attempt: number;
  priority: number;
  tenant: string | null;
  owner: string | null;
  session: string | null;
  parent_id: string | null;
  messages: string[];
  created_at: Date;
  updated_at: Date;
  sort_key: string;
}

/** A request row as the detail view reads it (payload sizes, not payloads). */
export interface DetailRow extends SummaryRow {
  input_content_type: string;
  input_mime: string | null;
  input_bytes: number;
  meta: Record<string, string>;
  worker_id: string | null;
  correlation_id: string | null;
  reply_to: string | null;
  traceparent: string | null;
  notify: string;
  deadline: Date | null;
  not_before: Date | null;
  start_by: Date | null;
  dispatched_at: Date | null;
  finished_at: Date | null;
  output_bytes: number | null;
  output_content_type: string | null;
}

interface HistoryRow {
  state: RequestState;
  step: number;
  attempt: number;
  worker_type: string;
  worker_id: string | null;
  messages: string[];
  at: Date;
}

const SORT_COLUMNS: Record<RequestSort, { column: string; descending: boolean }> = {
  createdAt: { column: 'created_at', descending: false },
  '-createdAt': { column: 'created_at', descending: true },
  updatedAt: { column: 'updated_at', descending: false },
  '-updatedAt': { column: 'updated_at', descending: true },
};

const SUMMARY_COLUMNS =
  'id, state, content_type, workflow, steps, step, worker_type, attempt, priority, tenant, owner, session, parent_id, messages, created_at, updated_at';

/**
 * The operator's reads over the requests table: filtered, sorted listing with keyset (cursor)
 * paging, counts by state, one request and its history, ids matching a filter a page at a time.
 * Filters are dynamic, so those statements are sent unnamed.
 */
@Injectable()
export class RequestReadsRepository {
  private readonly detailStatement: Statement;
  private readonly historyStatement: Statement;
  private readonly inputStatement: Statement;
  private readonly groupsStatement: Statement;
  private readonly latestChangeStatement: Statement;

  constructor(private readonly database: DatabaseService) {
    const requests = database.table('requests');
    this.detailStatement = database.statement(
      'reads-detail',
      `SELECT ${SUMMARY_COLUMNS}, input_content_type, input_mime, octet_length(input)::int AS input_bytes, meta,
              worker_id, correlation_id, reply_to, traceparent, notify, deadline, not_before, start_by,
              dispatched_at, finished_at, octet_length(output)::int AS output_bytes, output_content_type,
              ${sortKeySql('created_at')} AS sort_key
       FROM ${requests} WHERE id = $1`,
    );
    this.historyStatement = database.statement(
      'reads-history',
      `SELECT state, step, attempt, worker_type, worker_id, messages, at
       FROM ${database.table('request_history')} WHERE request_id = $1 ORDER BY id`,
    );
    this.inputStatement = database.statement(
      'reads-input',
      `SELECT input, input_mime, input_content_type FROM ${requests} WHERE id = $1`,
    );
    this.groupsStatement = database.statement(
      'reads-groups',
      `SELECT worker_type, workflow, state, count(*)::int AS count, min(updated_at) AS oldest
       FROM ${requests} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    // Every state change appends to request_history (a trigger): its newest id moves on any change.
    this.latestChangeStatement = database.statement(
      'reads-latest-change',
      `SELECT COALESCE(max(id), 0)::text AS id FROM ${database.table('request_history')}`,
    );
  }

  async list(query: ListRequestsQuery): Promise<RequestPage> {
    const sort = query.sort ?? '-createdAt';
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const { column, descending } = SORT_COLUMNS[sort];
    const sql = filterConditions(query, { withState: true });
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor, sort);
      sql.add(
        `(${column}, id) ${descending ? '<' : '>'} (${sql.param(cursor.key)}::timestamptz, ${sql.param(cursor.id)})`,
      );
    }
    const direction = descending ? 'DESC' : 'ASC';
    const rows = await this.run<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS}, ${sortKeySql(column)} AS sort_key FROM ${this.database.table('requests')}
       ${sql.where()} ORDER BY ${column} ${direction}, id ${direction} LIMIT ${sql.param(limit + 1)}`,
      sql,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ sort, key: last.sort_key, id: last.id }) : null;
    return {
      items: page.map(summaryOf),
      nextCursor,
      ...(query.counts === false ? {} : { counts: await this.counts(query) }),
    };
  }

  /** Counts by state under the filter, ignoring its state list (every state is listed, zeros included). */
  async counts(filter: RequestFilter): Promise<RequestCounts> {
    const sql = filterConditions(filter, { withState: false });
    const rows = await this.run<{ state: string; count: number }>(
      `SELECT state, count(*)::int AS count FROM ${this.database.table('requests')} ${sql.where()} GROUP BY state`,
      sql,
    );
    const byState: Record<string, number> = Object.fromEntries(
      REQUEST_STATES.map((state) => [state, 0]),
    );
    let total = 0;
    for (const row of rows) {
      byState[row.state] = row.count;
      total += row.count;
    }
    return { byState, total };
  }

  /** One request row for the detail view, or undefined. */
  async detail(id: string): Promise<DetailRow | undefined> {
    const [row] = await this.database.query<DetailRow>(this.detailStatement, [id]);
    return row;
  }

  async history(id: string): Promise<RequestHistoryEntry[]> {
    const rows = await this.database.query<HistoryRow>(this.historyStatement, [id]);
    return rows.map((row) => ({
      state: row.state,
      step: row.step,
      attempt: row.attempt,
      workerType: row.worker_type,
      workerId: row.worker_id,
      messages: row.messages,
      at: row.at.toISOString(),
    }));
  }

  /** A request's stored input, or undefined. */
  async input(id: string): Promise<StoredInput | undefined> {
    const [row] = await this.database.query<{
      input: Buffer;
      input_mime: string | null;
      input_content_type: string;
    }>(this.inputStatement, [id]);
    return row
      ? { body: row.input, mime: row.input_mime, contentType: row.input_content_type }
      : undefined;
  }

  /** Counts by worker type, workflow and state, in one scan. */
  async groups(): Promise<RequestGroupCount[]> {
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

  /** An id that moves whenever any request changes state (read by index). */
  async latestChange(): Promise<string> {
    const [row] = await this.database.query<{ id: string }>(this.latestChangeStatement, []);
    return row?.id ?? '0';
  }

  /** Ids matching the filter and `states`, a page at a time, in id order (keyset, never OFFSET). */
  async *idPages(
    filter: RequestFilter,
    states: readonly RequestState[],
    pageSize: number,
  ): AsyncGenerator<string[]> {
    let after: string | undefined;
    for (;;) {
      const sql = filterConditions(filter, { withState: false });
      sql.add(`state = ANY(${sql.param(states)}::text[])`);
      if (after !== undefined) sql.add(`id > ${sql.param(after)}`);
      const rows = await this.run<{ id: string }>(
        `SELECT id FROM ${this.database.table('requests')} ${sql.where()} ORDER BY id LIMIT ${sql.param(pageSize)}`,
        sql,
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      yield rows.map((row) => row.id);
      if (rows.length < pageSize) return;
    }
  }

  private run<R extends object>(text: string, sql: SqlConditions): Promise<R[]> {
    return this.database.queryText<R>(text, sql.params);
  }
}

export function summaryOf(row: SummaryRow): RequestSummary {
  return {
    id: row.id,
    state: row.state,
    contentType: row.content_type,
    workflow: row.workflow,
    steps: row.steps,
    step: row.step,
    workerType: row.worker_type,
    attempt: row.attempt,
    priority: row.priority,
    tenant: row.tenant,
    owner: row.owner,
    session: row.session,
    parentId: row.parent_id,
    messages: row.messages,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
