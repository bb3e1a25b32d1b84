import { type RequestState } from '@org/protocol';

/** Filters of the listing, the counts and the bulk operations; every given one must match. */
export interface RequestFilter {
  readonly state?: readonly RequestState[];
  readonly contentType?: string;
  /** Worker type of the current step. */
  readonly workerType?: string;
  readonly workflow?: string;
  readonly tenant?: string;
  readonly owner?: string;
  readonly session?: string;
  /** The request a worker submitted this one from (`ctx.submit`). */
  readonly parentId?: string;
  readonly priority?: number;
  /** Created at or after (ISO 8601). */
  readonly createdFrom?: string;
  /** Created before (ISO 8601). */
  readonly createdTo?: string;
  /**
   * The stored input (the current step's) contains this text, UTF-8 encoded. Read from every
   * row the other filters leave: narrow them on large tables.
   */
  readonly payload?: string;
}

export const REQUEST_SORTS = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt'] as const;
export type RequestSort = (typeof REQUEST_SORTS)[number];

/** A page of the listing: filters, sort and where the previous page ended. */
export interface ListRequestsQuery extends RequestFilter {
  /** @default '-createdAt' */
  readonly sort?: RequestSort;
  /** @default 50 */
  readonly limit?: number;
  readonly cursor?: string;
  /** Include counts by state. @default true */
  readonly counts?: boolean;
}
