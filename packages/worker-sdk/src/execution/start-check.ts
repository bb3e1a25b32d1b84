import { type DeliveredJob } from '@org/protocol';
import { JobAbortedError } from './job-aborted-error';

/** The ERROR message of a job that reached its worker after its `wm-deadline`. */
export const DEADLINE_PASSED_MESSAGE = 'deadline passed before the job started';

/** Cancel orders remembered by (request id, attempt): see `CancelledJobs`. */
export interface CancelledLookup {
  has(requestId: string, attempt: number): boolean;
}

/**
 * What to do with a job at the moment it would start ("never run what has ended", design 5.1):
 * - `withdrawn`: a cancel order named this (request id, attempt) while it waited: acknowledge it
 *   unanswered (the manager already ended the request);
 * - `cancelled`: a v1 cancel (request id only) arrived while it waited: answer ERROR "cancelled";
 * - `expired`: its deadline has passed: answer ERROR, not retryable;
 * - `run`: run the handler.
 */
export type StartDecision = 'run' | 'withdrawn' | 'cancelled' | 'expired';

export function startDecision(
  job: DeliveredJob,
  now: number,
  cancelled: CancelledLookup | undefined,
  abortReason: Error | undefined,
): StartDecision {
  if (cancelled?.has(job.requestId, job.attempt)) return 'withdrawn';
  if (abortReason instanceof JobAbortedError && abortReason.kind === 'cancel') return 'cancelled';
  if (job.deadline !== undefined && now > job.deadline) return 'expired';
  return 'run';
}
