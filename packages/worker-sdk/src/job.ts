import { type DeliveredJob, type Part } from '@org/protocol';

/** One parent step's output, as a fan-in job (a graph step with several parents) receives it. */
export interface FanInInput {
  /** The parent's output bytes. */
  readonly body: Buffer;
  /** Business content type of the output (`wm-content-type`). */
  readonly contentType: string;
  /** MIME type of the output, when the parent set one. */
  readonly mimeType?: string;
  /** The parent's `wm-meta-*` headers. */
  readonly meta: Readonly<Record<string, string>>;
  /** The body parsed as JSON (parsed once, then cached); throws a SyntaxError when it is not JSON. */
  json<U = unknown>(): U;
}

/** One job as the handler sees it: the request step's payload and everything the contract says about it. */
export interface Job<T = unknown> {
  /** The request id (`wm-request-id`). */
  readonly requestId: string;
  /**
   * Dispatch attempt (`wm-attempt`), the fencing token echoed in every response; starts at 1
   * (a graph workflow step's at its step index + 1, then 64 more per dispatch: design 5.4).
   */
  readonly attempt: number;
  /** 0-based workflow step (`wm-step`); 0 for a single-step request. */
  readonly step: number;
  /** Id of the graph workflow step this job runs (`wm-step-id`), when the workflow is a graph. */
  readonly stepId?: string;
  /** Workflow type, when the request runs a workflow. */
  readonly workflow?: string;
  /** This worker's type, as addressed by the job. */
  readonly workerType: string;
  /** Business content type of the body (`wm-content-type`), e.g. `product/raw`. */
  readonly contentType: string;
  /** MIME type of the body (AMQP `contentType`), when the sender set one. */
  readonly mimeType?: string;
  /** `wm-meta-*` headers from the previous step. */
  readonly meta: Readonly<Record<string, string>>;
  /** Every AMQP header of the job, as received. */
  readonly headers: Readonly<Record<string, unknown>>;
  /** The payload bytes (for a fan-in job: the parts frame; read `inputs` instead). */
  readonly body: Buffer;
  /** The payload validated against the worker's `payload` class (undefined without one). */
  readonly payload: T;
  /**
   * Fan-in jobs only (a graph step with several parents, AMQP `contentType`
   * `application/vnd.wm.parts`): each parent's output by its step id. Undefined otherwise.
   */
  readonly inputs?: Readonly<Record<string, FanInInput>>;
  /**
   * Epoch ms after which the job must not start (`wm-deadline`). The SDK never starts a job past
   * it (it answers ERROR instead), so a handler only needs it to bound its own work.
   */
  readonly deadline?: number;
  /**
   * True when the broker delivered this job before (to this or another replica): an earlier run
   * may have had side effects, so handlers with external effects should be idempotent.
   */
  readonly redelivered: boolean;
  /** Earlier deliveries of this job (`x-delivery-count`); 0 on the first. */
  readonly deliveryCount: number;
  readonly tenant?: string;
  readonly owner?: string;
  readonly session?: string;
  /** W3C trace context of the requester. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** The body parsed as JSON (parsed once, then cached); throws a SyntaxError when it is not JSON. */
  json<U = unknown>(): U;
}

export function createJob<T>(
  delivered: DeliveredJob,
  payload: T,
  headers: Readonly<Record<string, unknown>>,
  parts?: readonly Part[],
): Job<T> {
  return {
    requestId: delivered.requestId,
    attempt: delivered.attempt,
    step: delivered.step,
    stepId: delivered.stepId,
    workflow: delivered.workflow,
    workerType: delivered.workerType,
    contentType: delivered.contentType,
    mimeType: delivered.mimeType,
    meta: delivered.meta,
    headers,
    body: delivered.body,
    payload,
    inputs: parts ? inputsOf(parts) : undefined,
    deadline: delivered.deadline,
    redelivered: delivered.redelivered,
    deliveryCount: delivered.deliveryCount,
    tenant: delivered.tenant,
    owner: delivered.owner,
    session: delivered.session,
    traceparent: delivered.traceparent,
    tracestate: delivered.tracestate,
    json: jsonOf(delivered.body),
  };
}

function inputsOf(parts: readonly Part[]): Record<string, FanInInput> {
  return Object.fromEntries(
    parts.map((part) => [
      part.stepId,
      {
        body: part.body,
        contentType: part.contentType,
        mimeType: part.mimeType,
        meta: part.meta,
        json: jsonOf(part.body),
      },
    ]),
  );
}

function jsonOf(body: Buffer): <U>() => U {
  let parsed: { value: unknown } | undefined;
  return <U>(): U => {
    parsed ??= { value: JSON.parse(body.toString('utf8')) as unknown };
    return parsed.value as U;
  };
}
