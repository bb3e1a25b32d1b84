import { Injectable } from '@nestjs/common';
import { REQUEST_STATES, type RequestState } from '@org/protocol';
import { DatabaseService } from '../database/database.service';
import { notFound } from '../http/api-error';
import { type ListRequestsQueryDto, type RequestSort } from './dto/list-requests-query.dto';
import { type RequestFilterDto } from './dto/request-filter.dto';
import {
  type RequestCountsDto,
  type RequestDetailDto,
  type RequestHistoryEntryDto,
  type RequestPageDto,
  type RequestSummaryDto,
} from './dto/request-view.dto';
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
  tenant: string | null;
  owner: string | null;
  session: string | null;
  messages: string[];
  created_at: Date;
  updated_at: Date;
  sort_key: string;
}

interface DetailRow extends SummaryRow {
  input_content_type: string;
  input_mime: string | null;
  input_bytes: number;
  meta: Record<string, string>;
  worker_id: string | null;
  correlation_id: string | null;
  reply_to: string | null;
  traceparent: string | null;
  deadline: Date | null;
  retry_at: Date | null;
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

/** Requests waiting for a worker type: how many, and since when the oldest. */
export interface WaitingStats {
  readonly workerType: string;
  readonly count: number;
  readonly oldestSince: Date;
}

const SORT_COLUMNS: Record<RequestSort, { column: string; descending: boolean }> = {
  createdAt: { column: 'created_at', descending: false },
  '-createdAt': { column: 'created_at', descending: true },
  updatedAt: { column: 'updated_at', descending: false },
  '-updatedAt': { column: 'updated_at', descending: true },
};

const SUMMARY_COLUMNS =
  'id, state, content_type, workflow, steps, step, worker_type, attempt, tenant, owner, session, messages, created_at, updated_at';

/**
 * The operator's reads over the requests table: filtered, sorted listing with keyset (cursor)
 * paging, counts by state, one request with its history, and waiting work per worker type.
 * Filters are dynamic, so these are plain (unnamed) statements rather than prepared ones.
 */
@Injectable()
export class RequestQueries {
  constructor(private readonly database: DatabaseService) {}

  async list(query: ListRequestsQueryDto): Promise<RequestPageDto> {
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
  async counts(filter: RequestFilterDto): Promise<RequestCountsDto> {
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

  /** One request and its history; 404 when it does not exist. */
  async get(id: string): Promise<RequestDetailDto> {
    const [row] = await this.database.dataSource.query<DetailRow[]>(
      `SELECT ${SUMMARY_COLUMNS}, input_content_type, input_mime, octet_length(input)::int AS input_bytes, meta, worker_id,
              correlation_id, reply_to, traceparent, deadline, retry_at, ${sortKeySql('created_at')} AS sort_key
       FROM ${this.database.table('requests')} WHERE id = $1`,
      [id],
    );
    if (!row) throw notFound(`request "${id}"`);
    const history = await this.database.dataSource.query<HistoryRow[]>(
      `SELECT state, step, attempt, worker_type, worker_id, messages, at
       FROM ${this.database.table('request_history')} WHERE request_id = $1 ORDER BY id`,
      [id],
    );
    return {
      ...summaryOf(row),
      inputContentType: row.input_content_type,
      inputMime: row.input_mime,
      inputBytes: row.input_bytes,
      meta: row.meta,
      workerId: row.worker_id,
      correlationId: row.correlation_id,
      replyTo: row.reply_to,
      traceparent: row.traceparent,
      deadline: row.deadline?.toISOString() ?? null,
      retryAt: row.retry_at?.toISOString() ?? null,
      history: history.map(historyEntryOf),
    };
  }

  /** The state of one request, or undefined when it does not exist. */
  async stateOf(id: string): Promise<RequestState | undefined> {
    const [row] = await this.database.dataSource.query<Array<{ state: RequestState }>>(
      `SELECT state FROM ${this.database.table('requests')} WHERE id = $1`,
      [id],
    );
    return row?.state;
  }

  /** Waiting requests per worker type (served by the partial index on waiting rows). */
  async waiting(): Promise<WaitingStats[]> {
    const rows = await this.database.dataSource.query<
      Array<{ worker_type: string; count: number; oldest: Date }>
    >(
      `SELECT worker_type, count(*)::int AS count, min(updated_at) AS oldest
       FROM ${this.database.table('requests')} WHERE state = 'NO_WORKER_AVAILABLE' GROUP BY worker_type`,
    );
    return rows.map((row) => ({
      workerType: row.worker_type,
      count: row.count,
      oldestSince: row.oldest,
    }));
  }

  private run<R>(text: string, sql: SqlConditions): Promise<R[]> {
    return this.database.dataSource.query<R[]>(text, sql.params);
  }
}

function summaryOf(row: SummaryRow): RequestSummaryDto {
  return {
    id: row.id,
    state: row.state,
    contentType: row.content_type,
    workflow: row.workflow,
    steps: row.steps,
    step: row.step,
    workerType: row.worker_type,
    attempt: row.attempt,
    tenant: row.tenant,
    owner: row.owner,
    session: row.session,
    messages: row.messages,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function historyEntryOf(row: HistoryRow): RequestHistoryEntryDto {
  return {
    state: row.state,
    step: row.step,
    attempt: row.attempt,
    workerType: row.worker_type,
    workerId: row.worker_id,
    messages: row.messages,
    at: row.at.toISOString(),
  };
}
