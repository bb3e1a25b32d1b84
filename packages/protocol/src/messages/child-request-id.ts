import { createHash } from 'node:crypto';
import { MAX_REQUEST_ID_LENGTH } from '../limits';

/**
 * The id of the `index`-th request a job submits (`ctx.submit`) when the worker names none
 * (design 5.1, "Idempotency that survives the row"): derived from the parent request and its
 * step, so a redelivered or retried job submits the same ids, which the manager absorbs or
 * answers "already finished" instead of running twice.
 *
 * `<parent id>/<step>/<index>`; when that would exceed the request id limit, the parent id is
 * replaced by a digest of it (`~<40 hex>`).
 */
export function childRequestId(parentId: string, step: number | string, index: number): string {
  const suffix = `/${step}/${index}`;
  if (parentId.length + suffix.length <= MAX_REQUEST_ID_LENGTH) return `${parentId}${suffix}`;
  const digest = createHash('sha256').update(parentId).digest('hex').slice(0, 40);
  return `~${digest}${suffix}`;
}
