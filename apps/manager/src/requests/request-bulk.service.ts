import { HttpStatus, Injectable } from '@nestjs/common';
import { RETRYABLE_REQUEST_STATES, type RequestState } from '@org/protocol';
import { DatabaseService } from '../database/database.service';
import { ApiException } from '../http/api-error';
import { type RequestFilterDto } from './dto/request-filter.dto';
import { filterConditions, isEmptyFilter, restrictStates } from './request-filter-sql';
import { DELETABLE_STATES } from './engine/operations';
import { RequestsService } from './requests.service';

/** Requests handled per page (one read, one transaction): memory stays bounded whatever matches. */
export const BULK_PAGE_SIZE = 500;

/**
 * Retry and delete by filter. Matching ids are read a page at a time in id order (keyset, never
 * OFFSET), and each page goes through the same operation as a single request, so a bulk call
 * over millions of rows holds one page in memory and no long transaction. A row that changed
 * state between the read and the operation is re-checked there and left alone.
 */
@Injectable()
export class RequestBulkOperations {
  constructor(
    private readonly database: DatabaseService,
    private readonly requests: RequestsService,
  ) {}

  /** Retries every retryable request matching `filter`; returns how many were retried. */
  async retry(filter: RequestFilterDto, pageSize = BULK_PAGE_SIZE): Promise<number> {
    const states = eligibleStates(filter, RETRYABLE_REQUEST_STATES, 'retried');
    let count = 0;
    for await (const ids of this.pages(filter, states, pageSize)) {
      const results = await this.requests.retryMany(ids);
      count += results.filter((result) => !(result instanceof Error)).length;
    }
    return count;
  }

  /** Deletes every deletable request matching `filter` (at least one filter is required); returns how many. */
  async delete(filter: RequestFilterDto, pageSize = BULK_PAGE_SIZE): Promise<number> {
    if (isEmptyFilter(filter)) {
      throw new ApiException(
        HttpStatus.BAD_REQUEST,
        'validation_failed',
        'give at least one filter (for instance state=ERROR): deleting every request needs to be asked for explicitly',
      );
    }
    const states = eligibleStates(filter, DELETABLE_STATES, 'deleted');
    let count = 0;
    for await (const ids of this.pages(filter, states, pageSize))
      count += await this.requests.deleteMany(ids);
    return count;
  }

  /** Ids matching the filter and `states`, a page at a time, in id order. */
  async *pages(
    filter: RequestFilterDto,
    states: readonly RequestState[],
    pageSize: number,
  ): AsyncGenerator<string[]> {
    let after: string | undefined;
    for (;;) {
      const sql = filterConditions(filter, { withState: false });
      sql.add(`state = ANY(${sql.param(states)}::text[])`);
      if (after !== undefined) sql.add(`id > ${sql.param(after)}`);
      const rows = await this.database.dataSource.query<Array<{ id: string }>>(
        `SELECT id FROM ${this.database.table('requests')} ${sql.where()} ORDER BY id LIMIT ${sql.param(pageSize)}`,
        sql.params,
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      yield rows.map((row) => row.id);
      if (rows.length < pageSize) return;
    }
  }
}

function eligibleStates(
  filter: RequestFilterDto,
  allowed: readonly RequestState[],
  verb: string,
): RequestState[] {
  const refused = (filter.state ?? []).filter((state) => !allowed.includes(state));
  if (refused.length > 0) {
    const message = `requests in ${refused.join(', ')} are never ${verb}: only ${allowed.join(', ')} are`;
    throw new ApiException(HttpStatus.BAD_REQUEST, 'not_eligible', message, [
      { path: 'state', message },
    ]);
  }
  return restrictStates(filter, allowed);
}
