import { type ErrorOptions, type HandlerResult, type SuccessOutput } from './handler-result';
import { type Logger } from './logger';

/** Options of `ctx.submit()`. Requester metadata defaults to the current job's, so chains stay traceable. */
export interface SubmitOptions {
  /**
   * @default derived from the current job: `<request id>/<step id or step>/<index>`, the index
   * counting this job's submits from 0 (`childRequestId` of `@org/protocol`). A redelivered or
   * retried job thus submits the same ids, and the manager does not run a child twice.
   */
  readonly requestId?: string;
  /** MIME type of the payload. @default `application/json` for objects, `application/octet-stream` for Buffers */
  readonly mimeType?: string;
  /** @default the current request's id */
  readonly correlationId?: string;
  /** A queue that also receives the new request's events. */
  readonly replyTo?: string;
  /** @default the current job's tenant */
  readonly tenant?: string;
  /** @default the current job's owner */
  readonly owner?: string;
  /** @default the current job's session */
  readonly session?: string;
}

/** What a handler can do besides reading its job. */
export interface JobContext {
  /**
   * Aborted when the job must stop: a cancel order for this request (reason: a `JobAbortedError`
   * with `kind: 'cancel'`), or the shutdown grace period running out (`kind: 'shutdown'`). Pass it
   * to fetch, streams and child processes. A cancelled handler that throws answers ERROR "cancelled".
   */
  readonly signal: AbortSignal;
  /** Structured logger whose entries carry the request id and attempt. */
  readonly log: Logger;
  /** The job succeeded with this output. */
  success(output?: SuccessOutput): HandlerResult;
  /** The job's content is wrong: INVALID_CONTENT, never retried. */
  invalid(reason: string | readonly string[]): HandlerResult;
  /** The worker failed: ERROR, retried by the manager's policy when `retryable`. */
  error(reason: string | readonly string[], options?: ErrorOptions): HandlerResult;
  /**
   * Reports progress (an integer 0–100) as a PROGRESS response. Throttled (`progressThrottleMs`):
   * calls inside the window only keep the latest value, sent at the end of the window unless the
   * job has finished by then. Resolves once the report is sent or skipped; never rejects.
   */
  progress(percent: number): Promise<void>;
  /**
   * Submits a new request to `<ns>.requests` (routing key = `contentType`), for dynamic chains.
   * Objects are sent as JSON; `wm-parent-id` names the current request. Resolves with the new
   * request's id once the broker confirmed it. Submit in a deterministic order: the default ids
   * count the submits of the job.
   */
  submit(contentType: string, payload: Buffer | object, options?: SubmitOptions): Promise<string>;
}
