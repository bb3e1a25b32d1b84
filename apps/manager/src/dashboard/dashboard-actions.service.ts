import { Injectable } from '@nestjs/common';
import { CANCELLABLE_STATES } from '../requests/engine/operations';
import { type BulkResult, RequestBulkOperations } from '../requests/request-bulk.service';
import { type RequestFilter } from '../requests/request-filter';
import { RequestsService } from '../requests/requests.service';
import { AuditLog } from './audit-log.service';

export const REQUEST_ACTIONS = ['retry', 'cancel', 'delete'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/** Progress entries kept for the pages polling them; the oldest go first. */
const MAX_PROGRESS_ENTRIES = 1_000;

/**
 * Retry, cancel and delete from the dashboard: a selection through the REST API's
 * `RequestsService` (one transaction for the lot), everything matching a filter through its
 * `RequestBulkOperations` (bounded pages). Each action is audited; a filter action reports its
 * progress after each page under the id the page chose, for the page to poll.
 */
@Injectable()
export class DashboardActions {
  private readonly progress = new Map<string, BulkResult & { done: boolean }>();

  constructor(
    private readonly requests: RequestsService,
    private readonly bulk: RequestBulkOperations,
    private readonly audit: AuditLog,
  ) {}

  preview(action: RequestAction, filter: RequestFilter): Promise<number> {
    return this.bulk.preview(filter, action, CANCELLABLE_STATES);
  }

  onIds(action: RequestAction, ids: readonly string[], actor: string): Promise<BulkResult> {
    return this.audit.run(
      { actor, action, target: { ids } },
      async () => {
        if (action === 'delete') {
          const deleted = await this.requests.deleteMany(ids);
          return { count: deleted, skipped: ids.length - deleted };
        }
        const results =
          action === 'retry'
            ? await this.requests.retryMany(ids)
            : await this.requests.cancelMany(ids, `cancelled by ${actor} from the dashboard`);
        const count = results.filter((result) => !(result instanceof Error)).length;
        return { count, skipped: results.length - count };
      },
      countsOf,
    );
  }

  onFilter(
    action: RequestAction,
    filter: RequestFilter,
    actor: string,
    progressId: string | undefined,
  ): Promise<BulkResult> {
    const report = (soFar: BulkResult, done = false) => {
      if (progressId === undefined) return;
      this.progress.delete(progressId);
      this.progress.set(progressId, { ...soFar, done });
      if (this.progress.size > MAX_PROGRESS_ENTRIES)
        this.progress.delete(this.progress.keys().next().value!);
    };
    report({ count: 0, skipped: 0 });
    return this.audit.run(
      { actor, action, target: { filter: definedOf(filter) } },
      async () => {
        const result =
          action === 'retry'
            ? await this.bulk.retry(filter, undefined, report)
            : action === 'cancel'
              ? await this.bulk.cancel(
                  filter,
                  `cancelled by ${actor} from the dashboard`,
                  CANCELLABLE_STATES,
                  undefined,
                  report,
                )
              : await this.bulk.delete(filter, undefined, report);
        report(result, true);
        return result;
      },
      countsOf,
    );
  }

  progressOf(progressId: string): (BulkResult & { done: boolean }) | undefined {
    return this.progress.get(progressId);
  }
}

function countsOf(result: BulkResult) {
  return { count: result.count, skipped: result.skipped };
}

/** The filter without its unset fields (what the audit log shows). */
function definedOf(filter: RequestFilter): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}
