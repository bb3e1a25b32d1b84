/**
 * Header names of wire contract v1. Every message carries the ones that apply to it; the message
 * specs in `messages/` say which, with their types and limits.
 */
export const HEADERS = {
  requestId: 'wm-request-id',
  contentType: 'wm-content-type',
  tenant: 'wm-tenant',
  owner: 'wm-owner',
  session: 'wm-session',
  workflow: 'wm-workflow',
  step: 'wm-step',
  attempt: 'wm-attempt',
  workerType: 'wm-worker-type',
  workerId: 'wm-worker-id',
  status: 'wm-status',
  state: 'wm-state',
  messages: 'wm-messages',
  progress: 'wm-progress',
  retryable: 'wm-retryable',
  /** On events: the content type of the request, when `wm-content-type` names the output's. */
  requestContentType: 'wm-request-content-type',
  /** On control orders: `instance` (one worker, by `wm-worker-id`) or `type` (every instance of `wm-worker-type`). */
  controlTarget: 'wm-control-target',
  /** v2, on requests: 0–9, higher first (the AMQP `priority` property is accepted too). */
  priority: 'wm-priority',
  /** v2, on requests: ISO 8601 or epoch ms; dispatched no earlier (state SCHEDULED). */
  notBefore: 'wm-not-before',
  /**
   * v2, on requests: ISO 8601 or epoch ms; not started by then → ERROR "deadline passed".
   * On jobs (epoch ms): a worker that receives the job later acknowledges it without running it.
   */
  deadline: 'wm-deadline',
  /** v2, on requests: which events the requester receives: `all` (default), `terminal`, `none`. */
  notify: 'wm-notify',
  /** v2, on batch frames: how many items the message carries. */
  batch: 'wm-batch',
  /** v2, on requests: the replyTo queue accepts event batches. */
  acceptBatch: 'wm-accept-batch',
  /** v2, on jobs of graph workflows and on the parts of a fan-in body: the step's id. */
  stepId: 'wm-step-id',
  /** v2, on requests a worker submits while running a job (`ctx.submit`): the parent request's id. */
  parentId: 'wm-parent-id',
  /**
   * On a message the manager parked in `<ns>.parked` instead of applying it: every reason, as an
   * array of strings (`headers.wm-worker-id: is required`).
   */
  parkReasons: 'wm-park-reasons',
  /** On a parked message: the queue the manager took it from. */
  parkedFrom: 'wm-parked-from',
  /**
   * On requests: an http(s) URL the manager POSTs the request's terminal event to (a webhook,
   * signed; see docs/webhooks.md). Private addresses are refused unless the manager allows them.
   */
  callbackUrl: 'wm-callback-url',
  /** On requests with wm-callback-url: `terminal` (default) or `all` (every event is called back). */
  callbackEvents: 'wm-callback-events',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Set by RabbitMQ quorum queues on redelivered messages. */
  deliveryCount: 'x-delivery-count',
  /** Set by RabbitMQ when it dead-letters a message. */
  death: 'x-death',
  firstDeathReason: 'x-first-death-reason',
  firstDeathQueue: 'x-first-death-queue',
} as const;

export type HeaderName = (typeof HEADERS)[keyof typeof HEADERS];

/** Free headers a worker returns start with this; they travel to the next step and to the requester. */
export const META_HEADER_PREFIX = 'wm-meta-';
