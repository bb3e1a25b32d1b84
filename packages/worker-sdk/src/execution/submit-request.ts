import {
  buildRequest,
  childRequestId,
  isContentType,
  type DeliveredJob,
  type Names,
  type OutgoingMessage,
} from '@org/protocol';
import { type SubmitOptions } from '../job-context';

/**
 * The request `ctx.submit()` publishes: the current job's requester metadata carries over by
 * default, `wm-parent-id` names the job's request, and the id (unless given) is derived from the
 * parent request, its step and the submit's index in the job (0, 1, …), so a redelivered or
 * retried job submits the same ids and the manager does not run a child twice.
 */
export function submissionFor(
  names: Names,
  job: DeliveredJob,
  contentType: string,
  payload: Buffer | object,
  options: SubmitOptions = {},
  index: number,
): { readonly requestId: string; readonly message: OutgoingMessage } {
  if (!isContentType(contentType)) {
    throw new TypeError(
      `ctx.submit(): "${contentType}" is not a valid content type (no spaces or wildcards)`,
    );
  }
  const isBytes = Buffer.isBuffer(payload);
  const requestId =
    options.requestId ?? childRequestId(job.requestId, job.stepId ?? job.step, index);
  const message = buildRequest(names, {
    requestId,
    contentType,
    body: isBytes ? payload : Buffer.from(JSON.stringify(payload)),
    mimeType: options.mimeType ?? (isBytes ? 'application/octet-stream' : 'application/json'),
    correlationId: options.correlationId ?? job.requestId,
    replyTo: options.replyTo,
    tenant: options.tenant ?? job.tenant,
    owner: options.owner ?? job.owner,
    session: options.session ?? job.session,
    traceparent: job.traceparent,
    tracestate: job.tracestate,
    parentId: job.requestId,
  });
  return { requestId, message };
}
