import { Injectable } from '@nestjs/common';
import { RETRYABLE_REQUEST_STATES, type RequestState } from '@org/protocol';
import { DELETABLE_STATES } from './engine/operations';
import { type RequestFilter } from './request-filter';
import { FilterRequiredError, IneligibleStatesError } from './request-errors';
import { RequestsService } from './requests.service';
import { isEmptyFilter, restrictStates } from './store/request-filter-sql';
import { RequestReadsRepository } from './store/request-reads.repository';

/** Requests handled per page (one read, one transaction): memory stays bounded whatever matches. */
export const BULK_PAGE_SIZE = 500;

/** What a bulk operation did. */
export interface BulkResult {
  /** Requests the operation applied to. */
  readonly count: number;
  /** Matching requests it left alone (their state changed meanwhile, or does not allow it). */
  readonly skipped: number;
}

/** Told after each page of a bulk operation, with the totals so far (the dashboard's progress). */
export type BulkProgress = (soFar: BulkResult) => void;

/**
 * Retry, cancel and delete by filter. Matching ids are read a page at a time in id order
 * (keyset, never OFFSET), and each page goes through the same operation as a single request, so
 * a bulk call over millions of rows holds one page in memory and no long transaction. A row that
 * changed state between the read and the operation is re-checked there and left alone.
 */
@Injectable()
export class RequestBulkOperations {
  constructor(
    private readonly reads: RequestReadsRepository,
    private readonly requests: RequestsService,
  ) {}

  /** Retries every retryable request matching `filter`. */
  async retry(
    filter: RequestFilter,
    pageSize = BULK_PAGE_SIZE,
    onPage?: BulkProgress,
  ): Promise<BulkResult> {
    const states = eligibleStates(filter, RETRYABLE_REQUEST_STATES, 'retried');
    let count = 0;
    let skipped = 0;
    for await (const ids of this.reads.idPages(filter, states, pageSize)) {
      const results = await this.requests.retryMany(ids);
      const done = results.filter((result) => !(result instanceof Error)).length;
      count += done;
      skipped += results.length - done;
      onPage?.({ count, skipped });
    }
    return { count, skipped };
  }

  /** Cancels every live request matching `filter`. */
  async cancel(
    filter: RequestFilter,
    reason: string,
    states: readonly RequestState[],
    pageSize = BULK_PAGE_SIZE,
    onPage?: BulkProgress,
  ): Promise<BulkResult> {
    const eligible = eligibleStates(filter, states, 'cancelled');
    let count = 0;
    let skipped = 0;
    for await (const ids of this.reads.idPages(filter, eligible, pageSize)) {
      const results = await this.requests.cancelMany(ids, reason);
      const done = results.filter((result) => !(result instanceof Error)).length;
      count += done;
      skipped += results.length - done;
      onPage?.({ count, skipped });
    }
    return { count, skipped };
  }

  /** Deletes every deletable request matching `filter` (at least one filter is required). */
  async delete(
    filter: RequestFilter,
    pageSize = BULK_PAGE_SIZE,
    onPage?: BulkProgress,
  ): Promise<BulkResult> {
    if (isEmptyFilter(filter)) throw new FilterRequiredError();
    const states = eligibleStates(filter, DELETABLE_STATES, 'deleted');
    let count = 0;
    let skipped = 0;
    for await (const ids of this.reads.idPages(filter, states, pageSize)) {
      const deleted = await this.requests.deleteMany(ids);
      count += deleted;
      skipped += ids.length - deleted;
      onPage?.({ count, skipped });
    }
    return { count, skipped };
  }

  /** How many requests a bulk operation over `filter` would consider (the preview count). */
  async preview(
    filter: RequestFilter,
    operation: 'retry' | 'delete' | 'cancel',
    cancellable: readonly RequestState[],
  ): Promise<number> {
    const allowed =
      operation === 'retry'
        ? RETRYABLE_REQUEST_STATES
        : operation === 'delete'
          ? DELETABLE_STATES
          : cancellable;
    const verbs = { retry: 'retried', delete: 'deleted', cancel: 'cancelled' } as const;
    const states = eligibleStates(filter, allowed, verbs[operation]);
    const counts = await this.reads.counts(filter);
    return states.reduce((sum, state) => sum + (counts.byState[state] ?? 0), 0);
  }
}

function eligibleStates(
  filter: RequestFilter,
  allowed: readonly RequestState[],
  verb: string,
): RequestState[] {
  const refused = (filter.state ?? []).filter((state) => !allowed.includes(state));
  if (refused.length > 0) {
    throw new IneligibleStatesError(
      `requests in ${refused.join(', ')} are never ${verb}: only ${allowed.join(', ')} are`,
    );
  }
  return restrictStates(filter, allowed);
}
