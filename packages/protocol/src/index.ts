/**
 * `@org/protocol`: the wire contract (v1 and its v2 additions) of the worker manager, the one place its names, headers,
 * states, topology and message shapes are spelled.
 *
 * ```ts
 * import { namesFor, workerTopology, assertTopology, parseJob, buildResponse } from '@org/protocol';
 *
 * const names = namesFor(process.env.WM_NAMESPACE ?? 'wm');
 * await assertTopology(channel, workerTopology(names, 'file-mover'));
 * await channel.consume(names.workerQueue('file-mover'), (message) => {
 *   const job = parseJob(message!);
 *   if (!job.ok) return; // job.error.issues says what is wrong, header by header
 *   const reply = buildResponse(names, { requestId: job.value.requestId, attempt: job.value.attempt,
 *     status: 'SUCCESS', workerType: 'file-mover', workerId: 'mover-1', body: Buffer.from('done') });
 *   channel.publish(reply.exchange, reply.routingKey, reply.content, reply.options);
 * });
 * ```
 *
 * v2 batch frames (design 5.2): `buildJobBatch(names, jobs)` / `parseJobBatch(message)` and the
 * same for requests, responses and events; `decodeFrame` never throws; fan-in bodies with
 * `buildParts` / `parseParts`. Graph workflows (design 5.4): `validateConfig` checks `steps`
 * written as `{ id, worker, after }` (`graphIssues`), and `routesOf` gives their `graph`.
 */
import 'reflect-metadata';

export {
  CONTRACT_VERSION,
  DEFAULT_NAMESPACE,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_EXPIRY_MS,
  MAX_REQUEST_ID_LENGTH,
  MAX_SHORT_HEADER_LENGTH,
  MAX_CALLBACK_URL_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_MESSAGES,
  MAX_META_HEADERS,
  WORK_QUEUE_DELIVERY_LIMIT,
  MAX_PRIORITY,
  MAX_BATCH_ITEMS,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_INFLIGHT_BYTES,
  DEFAULT_DEDUP_RETENTION_MS,
  DEFAULT_RUNNING_AFTER_MS,
  DEFAULT_INSTANCE_CONCURRENCY,
  WINDOW_PER_CONCURRENCY,
  MAX_WINDOW_PER_CONCURRENCY,
} from './limits';
export { BATCH_CONTENT_TYPE, PARTS_CONTENT_TYPE } from './media-types';
export {
  WORKER_TYPE_PATTERN,
  NAMESPACE_PATTERN,
  CONTENT_TYPE_PATTERN,
  STEP_ID_PATTERN,
  isWorkerType,
  isContentType,
  assertNamespace,
  namesFor,
  templateNames,
  type Names,
  type ExchangeNames,
  type QueueNames,
} from './names';
export { HEADERS, META_HEADER_PREFIX, type HeaderName } from './headers';
export {
  tracingEnabled,
  spanContextOf,
  parentContextOf,
  traceHeadersOf,
  type TraceHeaders,
} from './tracing/trace-context';
export {
  WEBHOOK_HEADERS,
  WEBHOOK_SIGNATURE_VERSION,
  webhookSignature,
  verifyWebhookSignature,
} from './webhook-signature';
export {
  REQUEST_STATES,
  RESPONSE_STATUSES,
  EVENT_STATES,
  TERMINAL_EVENT_STATES,
  TERMINAL_REQUEST_STATES,
  INFORMATIONAL_EVENT_STATES,
  WAITING_REQUEST_STATES,
  OUTSTANDING_REQUEST_STATES,
  LIVE_REQUEST_STATES,
  RETRYABLE_REQUEST_STATES,
  NOTIFY_MODES,
  CALLBACK_EVENTS,
  isRequestState,
  isResponseStatus,
  isEventState,
  isTerminalRequestState,
  isTerminalEventState,
  notifies,
  routingWord,
  type RequestState,
  type ResponseStatus,
  type EventState,
  type NotifyMode,
  type CallbackEvents,
} from './states';
export {
  NEW,
  REQUEST_TRANSITIONS,
  canTransition,
  assertTransition,
  stateForResponse,
  ForbiddenTransitionError,
  type TransitionSource,
} from './transitions';
export {
  ProtocolValidationError,
  parsed,
  rejected,
  unwrap,
  type ParseResult,
  type ValidationIssue,
} from './validation';
export {
  CONTROL_TARGETS,
  workQueueArguments,
  managerDeadLetterKey,
  exchangeSpecs,
  workerQueueTopology,
  workerTopology,
  managerTopology,
  livenessTopology,
  LIVENESS_QUEUE_ARGUMENTS,
  controlTopology,
  merge as mergeTopology,
  type ControlTarget,
  type ExchangeSpec,
  type ExchangeType,
  type QueueSpec,
  type BindingSpec,
  type Topology,
} from './topology/topology';
export {
  assertTopology,
  checkTopology,
  deleteTopology,
  type TopologyChannel,
} from './topology/assert-topology';
export {
  EMPTY_BODY,
  amqpTimestamp,
  type IncomingMessage,
  type OutgoingMessage,
  type PublishOptions,
} from './messages/amqp-message';
export {
  FIELDS,
  HeaderReader,
  parseTime,
  type HeaderField,
  type FieldKind,
} from './messages/header-fields';
export { type RequestOptions } from './messages/request-options';
export { childRequestId } from './messages/child-request-id';
export { type RequesterMetadata } from './messages/requester-metadata';
export {
  buildRequest,
  parseRequest,
  requestIdentity,
  type RequestMessage,
  type RequestInput,
  type RequestIdentity,
} from './messages/request-message';
export {
  buildJob,
  parseJob,
  jobMessageId,
  type JobMessage,
  type DeliveredJob,
  type JobInput,
} from './messages/job-message';
export {
  buildResponse,
  parseResponse,
  type ResponseMessage,
  type ResponseInput,
} from './messages/response-message';
export {
  buildEvent,
  parseEvent,
  eventRoutingKey,
  type EventMessage,
  type EventInput,
} from './messages/event-message';
export {
  WORKER_STATUSES,
  WORKER_MESSAGE_KINDS,
  WorkerStatusBody,
  buildWorkerMessage,
  parseWorkerMessage,
  type WorkerStatus,
  type WorkerMessageKind,
  type WorkerMessage,
  type WorkerStatusInput,
} from './messages/worker-status-message';
export {
  CONTROL_ORDERS,
  ControlOrderBody,
  buildControlOrder,
  parseControlOrder,
  type ControlOrderKind,
  type ControlAddress,
} from './messages/control-message';
export { readDeadLetter, type DeadLetterInfo } from './messages/dead-letter';
export {
  MAX_FRAME_HEADER_BYTES,
  FRAME_LENGTH_BYTES,
  type FrameLimits,
} from './frames/frame-limits';
export {
  encodeFrame,
  encodeFrames,
  decodeFrame,
  type FrameItem,
  type FrameDecodeResult,
  type FrameDecodeOptions,
  type EncodedFrame,
} from './frames/frame-codec';
export { FRAME_ITEM_PROPERTIES, frameItemOf, incomingOf } from './frames/frame-item';
export {
  isBatch,
  batchMessages,
  parseBatch,
  type BatchItem,
  type BatchOutgoing,
  type BatchEnvelope,
} from './frames/batch-message';
export {
  MIXED_BATCH_ROUTING_WORD,
  buildRequestBatch,
  buildRequestBatches,
  parseRequestBatch,
  buildJobBatch,
  buildJobBatches,
  parseJobBatch,
  buildResponseBatch,
  buildResponseBatches,
  parseResponseBatch,
  buildEventBatch,
  buildEventBatches,
  parseEventBatch,
} from './frames/message-batches';
export { buildParts, parseParts, type Part, type PartInput } from './frames/parts';
export { MAX_JSON_BODY_BYTES, parseJsonBody } from './messages/json-body';
export {
  ManagerConfig,
  WorkerTypeConfig,
  WorkflowConfig,
  RetryPolicy,
  RetentionPolicy,
  RateLimit,
  FailurePolicy,
  FAIRNESS_MODES,
  type FairnessMode,
} from './config/manager-config';
export { parseDuration } from './config/duration';
export { resolveDispatchPolicy, type DispatchPolicy } from './config/dispatch-policy';
export {
  parseConfigYaml,
  validateConfig,
  resolvePolicy,
  routesOf,
  retryDelayMs,
  type Route,
  type ResolvedPolicy,
} from './config/validate-config';
export {
  graphIssues,
  graphOf,
  isGraphSteps,
  type GraphStepConfig,
  type GraphStep,
  type WorkflowGraph,
} from './config/workflow-graph';
export { contractDocument, contractJson } from './contract/contract-document';
export {
  MESSAGE_SPECS,
  operationsOf,
  type MessageSpec,
  type OperationSpec,
} from './contract/message-specs';
export {
  MESSAGE_REQUIREMENTS_FILE,
  messageRequirementsMarkdown,
} from './contract/message-requirements';
