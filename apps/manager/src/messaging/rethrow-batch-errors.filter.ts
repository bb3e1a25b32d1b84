import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC exception filter replaces an unknown error with a generic object; the
 * batch consumer needs the error itself (a transient database error is retried, anything else
 * splits the batch). Batch handlers use this filter to hand it on unchanged.
 */
@Catch()
export class RethrowBatchErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
