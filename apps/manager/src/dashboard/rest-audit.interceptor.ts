import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { type Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import { type HttpRequest } from '../http/http-types';
import { currentRequestContext } from '../logging/request-context';
import { AuditLogRepository } from './audit-log.repository';

/** The REST API's operator actions, by method and route, and what the audit log calls them. */
const AUDITED: Readonly<Record<string, string>> = {
  'POST /api/v1/requests/retry': 'retry',
  'POST /api/v1/requests/cancel': 'cancel',
  'DELETE /api/v1/requests': 'delete',
  'POST /api/v1/requests/:id/retry': 'retry',
  'POST /api/v1/requests/:id/cancel': 'cancel',
  'DELETE /api/v1/requests/:id': 'delete',
  'POST /api/v1/workers/:type/pause': 'pause',
  'POST /api/v1/workers/:type/resume': 'resume',
  'POST /api/v1/workers/:type/instances/:id/drain': 'drain-instance',
  'POST /api/v1/workers/:type/instances/:id/resume': 'resume-instance',
  'PUT /api/v1/config': 'config-import',
};

type RoutedRequest = HttpRequest & {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
};

/**
 * Writes the REST API's operator actions to the same audit log as the dashboard's (who: the API
 * key's name; what; which id, worker type or filter, as sent; the count answered), before the answer goes
 * out. Submissions and previews (`dryRun=true`) are not actions and are not written; neither is
 * anything but HTTP (the message handlers share the global interceptors).
 */
@Injectable()
export class RestAuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(private readonly audit: AuditLogRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<RoutedRequest>();
    const action = AUDITED[`${request.method ?? ''} ${request.route?.path ?? ''}`];
    const query = request.query ?? {};
    if (action === undefined || query['dryRun'] === true || query['dryRun'] === 'true')
      return next.handle();
    const params = request.params ?? {};
    const target: Record<string, unknown> =
      params['id'] !== undefined && params['type'] === undefined
        ? { ids: [params['id']] }
        : params['type'] !== undefined
          ? { workerType: params['type'], ...(params['id'] ? { instance: params['id'] } : {}) }
          : Object.keys(query).length > 0
            ? { filter: query }
            : {};
    const actor = currentRequestContext()?.principal ?? 'anonymous';
    // An action that was applied is answered as applied even when its audit entry cannot be
    // written (the database went away meanwhile): the failure is logged instead.
    const write = (outcome: string, answer?: unknown) => {
      const counted = answer as { count?: unknown; skipped?: unknown } | undefined;
      return this.audit
        .append({
          actor,
          action,
          target: { ...target, via: 'rest' },
          count: typeof counted?.count === 'number' ? counted.count : null,
          skipped: typeof counted?.skipped === 'number' ? counted.skipped : null,
          outcome,
        })
        .catch((error: unknown) =>
          this.logger.warn(`audit entry of ${action} not written: ${(error as Error).message}`),
        );
    };
    return (next.handle() as Observable<unknown>).pipe(
      mergeMap((answer: unknown) => from(write('done', answer).then(() => answer))),
      catchError((error: unknown) =>
        from(
          write(`failed: ${(error as Error).message}`.slice(0, 500)).catch(() => undefined),
        ).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }
}
