import { HEADERS } from '../headers';
import { type ExchangeNames } from '../names';
import { FIELDS, type HeaderField } from '../messages/header-fields';

/** One way a message is published: an operation of the contract document. */
export interface OperationSpec {
  /** The operation's id in the contract document. */
  readonly name: string;
  readonly routingKey: string;
  /** AMQP delivery mode 2 (persistent) when true, 1 (transient) when false. */
  readonly persistent: boolean;
}

export interface MessageSpec {
  readonly name: string;
  readonly summary: string;
  readonly exchange: keyof ExchangeNames;
  readonly routingKey: string;
  readonly publisher: string;
  readonly consumer: string;
  readonly required: readonly HeaderField[];
  readonly optional: readonly HeaderField[];
  readonly meta: boolean;
  /** `bytes`: opaque payload; `empty`; or the name of a JSON body class. */
  readonly body:
    'bytes' | 'empty' | 'bytes on SUCCESS, else empty' | 'WorkerStatusBody' | 'ControlOrderBody';
  /** Rules beyond each header's own (a header required only with some status, the body). */
  readonly conditions: readonly string[];
  /** What the consumer does with a message that breaks the rules. */
  readonly whenRefused: string;
  /**
   * How it is published, one operation each. @default one persistent operation named after the
   * message, with its routing key
   */
  readonly operations?: readonly OperationSpec[];
}

const metadata = [
  FIELDS.tenant,
  FIELDS.owner,
  FIELDS.session,
  FIELDS.traceparent,
  FIELDS.tracestate,
];

/** Each message kind of the contract: where it goes and which headers it carries. */
export const MESSAGE_SPECS: readonly MessageSpec[] = [
  {
    name: 'request',
    summary:
      'A processing request. Request id: wm-request-id, else the messageId property, else the manager makes one.',
    exchange: 'requests',
    routingKey: '<content type>',
    publisher: 'requesters',
    consumer: 'manager',
    required: [FIELDS.contentType],
    optional: [
      FIELDS.requestId,
      ...metadata,
      FIELDS.priority,
      FIELDS.notBefore,
      FIELDS.deadline,
      FIELDS.notify,
      FIELDS.acceptBatch,
      FIELDS.parentId,
      FIELDS.callbackUrl,
      FIELDS.callbackEvents,
    ],
    meta: false,
    body: 'bytes',
    conditions: [
      'Without wm-request-id the messageId property is the request id (at most 128 characters); without either, the manager makes one.',
      'The payload is at most WM_MAX_PAYLOAD_BYTES (default 1 MiB).',
    ],
    whenRefused:
      'The requester gets a SKIPPED event (and a copy on its replyTo queue) with every problem in wm-messages; nothing is kept.',
  },
  {
    name: 'job',
    summary:
      'One dispatch of one request step to a worker type. Ack it only after your response is confirmed.',
    exchange: 'jobs',
    routingKey: '<worker type>',
    publisher: 'manager',
    consumer: 'workers of that type (queue <ns>.worker.<type>)',
    required: [
      FIELDS.requestId,
      FIELDS.attempt,
      FIELDS.workerType,
      FIELDS.contentType,
      FIELDS.step,
    ],
    optional: [FIELDS.workflow, FIELDS.stepId, FIELDS.deadline, ...metadata],
    meta: true,
    body: 'bytes',
    conditions: [],
    whenRefused:
      '@org/worker-sdk answers INVALID_CONTENT with every problem in wm-messages and acks the job.',
  },
  {
    name: 'response',
    summary:
      'A worker answer. RUNNING and PROGRESS are informational; SUCCESS, ERROR and INVALID_CONTENT end the step.',
    exchange: 'responses',
    routingKey: '<status lower-case>.<worker type>',
    publisher: 'workers',
    consumer: 'manager',
    required: [FIELDS.requestId, FIELDS.attempt, FIELDS.status, FIELDS.workerType, FIELDS.workerId],
    optional: [
      FIELDS.step,
      FIELDS.contentType,
      FIELDS.messages,
      FIELDS.progress,
      FIELDS.retryable,
      FIELDS.traceparent,
      FIELDS.tracestate,
    ],
    meta: true,
    body: 'bytes on SUCCESS, else empty',
    conditions: [
      `${HEADERS.progress} is required when ${HEADERS.status} is PROGRESS.`,
      'The body is empty unless wm-status is SUCCESS.',
    ],
    whenRefused: `Parked: published unchanged to the queue <ns>.parked with every problem in the ${HEADERS.parkReasons} header, and counted in wm_responses_dropped_total by reason. The request is not changed (it waits for its timeout, or a retry).`,
  },
  {
    name: 'workerStatus',
    summary:
      'register.<type> on start, heartbeat.<type> every WM_HEARTBEAT_INTERVAL_MS (default 10 s), unregister.<type> on graceful stop.',
    exchange: 'workers',
    routingKey: 'register.<type> | heartbeat.<type> | unregister.<type>',
    publisher: 'workers',
    consumer: 'every manager replica',
    required: [],
    optional: [],
    meta: false,
    body: 'WorkerStatusBody',
    conditions: [
      'The routing key is register.<type>, heartbeat.<type> or unregister.<type>, and <type> equals the body type.',
      'The body is JSON with at least id, type and status (ready or draining).',
      'Heartbeats are transient (delivery mode 1): only meaningful live. Registrations and unregistrations are persistent.',
    ],
    whenRefused: 'Ignored and logged: the instance does not count as alive.',
    operations: [
      { name: 'workerRegister', routingKey: 'register.<type>', persistent: true },
      { name: 'workerHeartbeat', routingKey: 'heartbeat.<type>', persistent: false },
      { name: 'workerUnregister', routingKey: 'unregister.<type>', persistent: true },
    ],
  },
  {
    name: 'event',
    summary:
      'A state change of a request, for requesters (also sent to the request replyTo queue).',
    exchange: 'events',
    routingKey: '<state lower-case>.<request content type>',
    publisher: 'manager',
    consumer: 'requesters',
    required: [FIELDS.requestId, FIELDS.state, FIELDS.contentType],
    optional: [
      FIELDS.requestContentType,
      FIELDS.workflow,
      FIELDS.step,
      FIELDS.attempt,
      FIELDS.workerType,
      FIELDS.workerId,
      FIELDS.messages,
      FIELDS.progress,
      ...metadata,
    ],
    meta: true,
    body: 'bytes on SUCCESS, else empty',
    conditions: [],
    whenRefused: "The requester's to decide: the manager never reads events.",
  },
  {
    name: 'controlOrder',
    summary:
      'cancel a request, drain (take no new jobs) or resume; addressed by headers to one instance or to every instance of a type.',
    exchange: 'control',
    routingKey: '(none: headers exchange)',
    publisher: 'manager',
    consumer: 'worker instances (queue <ns>.control.<instance id>)',
    required: [FIELDS.controlTarget],
    optional: [FIELDS.workerId, FIELDS.workerType, FIELDS.requestId],
    meta: false,
    body: 'ControlOrderBody',
    conditions: [
      `Routed by the control queues' bindings: ${HEADERS.controlTarget} instance reaches the instance named by ${HEADERS.workerId}, type every instance of ${HEADERS.workerType}.`,
      'The body is JSON with at least order (cancel, drain or resume); a cancel names the request in requestId.',
    ],
    whenRefused: '@org/worker-sdk ignores it and logs why.',
  },
];

/** The operations a message is published with (see {@link MessageSpec.operations}). */
export function operationsOf(spec: MessageSpec): readonly OperationSpec[] {
  return spec.operations ?? [{ name: spec.name, routingKey: spec.routingKey, persistent: true }];
}
