import { type ExchangeNames } from '../names';
import { FIELDS, type HeaderField } from '../messages/header-fields';

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
    ],
    meta: false,
    body: 'bytes',
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
  },
];
