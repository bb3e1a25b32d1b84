import { type ResponseMessage, type ResponseStatus } from '@org/protocol';

/**
 * Something that happened to a dispatched job: a worker's response, or a failure the manager
 * observed (dead-lettered job, timeout). All of them are applied by one state machine.
 */
export interface Outcome {
  readonly requestId: string;
  /** The attempt the outcome is about: the fence against stale outcomes. */
  readonly attempt: number;
  readonly status: ResponseStatus;
  /** The worker type that answered; checked against the current step's when present. */
  readonly workerType?: string;
  readonly workerId?: string;
  readonly messages: readonly string[];
  readonly progress?: number;
  readonly retryable?: boolean;
  /** Business content type of the output (SUCCESS). */
  readonly contentType?: string;
  readonly mimeType?: string;
  readonly meta: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export function outcomeOfResponse(response: ResponseMessage): Outcome {
  return {
    requestId: response.requestId,
    attempt: response.attempt,
    status: response.status,
    workerType: response.workerType,
    workerId: response.workerId,
    messages: response.messages,
    progress: response.progress,
    retryable: response.retryable,
    contentType: response.contentType,
    mimeType: response.mimeType,
    meta: response.meta,
    body: response.body,
  };
}

/** A failure observed by the manager itself (no worker answered). */
export function failureOutcome(
  requestId: string,
  attempt: number,
  messages: readonly string[],
  retryable: boolean,
): Outcome {
  return {
    requestId,
    attempt,
    status: 'ERROR',
    messages,
    retryable,
    meta: {},
    body: Buffer.alloc(0),
  };
}
