import { HEADERS } from '../headers';
import { type Names } from '../names';
import { parsed, rejected, type ParseResult } from '../validation';
import { amqpTimestamp, type IncomingMessage, type OutgoingMessage } from './amqp-message';
import { FIELDS, HeaderReader, headerTable, metaHeaders, propertyText } from './header-fields';
import {
  readRequesterMetadata,
  requesterMetadataHeaders,
  type RequesterMetadata,
} from './requester-metadata';

/** A job: one dispatch of one request step to a worker type, on `<ns>.jobs` with routing key = worker type. */
export interface JobMessage extends RequesterMetadata {
  readonly requestId: string;
  /** The fencing token: responses must echo it. */
  readonly attempt: number;
  readonly workerType: string;
  /** Business content type of the body. */
  readonly contentType: string;
  readonly workflow?: string;
  /** 0-based workflow step; 0 for a single-step request. */
  readonly step: number;
  /** v2: id of the graph workflow step this job runs. */
  readonly stepId?: string;
  /**
   * v2: epoch ms after which the job must not start (the request's `wm-deadline`, or the
   * dispatch time plus the type's `timeoutMs`): a worker receiving it later acknowledges it
   * without running it.
   */
  readonly deadline?: number;
  /** `wm-meta-*` headers from the previous step. */
  readonly meta: Readonly<Record<string, string>>;
  readonly messageId: string;
  readonly correlationId?: string;
  readonly mimeType?: string;
  readonly body: Buffer;
}

/** A job as delivered, with what the broker says about its delivery. */
export interface DeliveredJob extends JobMessage {
  /** The broker delivered this message before (to this or another consumer). */
  readonly redelivered: boolean;
  /** Earlier deliveries of this message, from the quorum queue's `x-delivery-count` (0 on the first). */
  readonly deliveryCount: number;
}

export type JobInput = Omit<JobMessage, 'meta'> & {
  readonly meta?: Readonly<Record<string, string>>;
};

export function jobMessageId(requestId: string, attempt: number): string {
  return `${requestId}#${attempt}`;
}

export function buildJob(names: Names, job: JobInput): OutgoingMessage {
  return {
    exchange: names.exchanges.jobs,
    routingKey: job.workerType,
    content: job.body,
    options: {
      persistent: true,
      messageId: job.messageId,
      correlationId: job.correlationId,
      contentType: job.mimeType ?? 'application/octet-stream',
      timestamp: amqpTimestamp(),
      headers: headerTable({
        [HEADERS.requestId]: job.requestId,
        [HEADERS.attempt]: job.attempt,
        [HEADERS.workerType]: job.workerType,
        [HEADERS.contentType]: job.contentType,
        [HEADERS.workflow]: job.workflow,
        [HEADERS.step]: job.step,
        [HEADERS.stepId]: job.stepId,
        [HEADERS.deadline]: job.deadline,
        ...requesterMetadataHeaders(job),
        ...metaHeaders(job.meta),
      }),
    },
  };
}

export function parseJob(message: IncomingMessage): ParseResult<DeliveredJob> {
  const reader = new HeaderReader(message.properties.headers);
  const requestId = reader.required(FIELDS.requestId);
  const attempt = reader.required(FIELDS.attempt);
  const workerType = reader.required(FIELDS.workerType);
  const contentType = reader.required(FIELDS.contentType);
  const step = reader.required(FIELDS.step);
  const workflow = reader.optional(FIELDS.workflow);
  const stepId = reader.optional(FIELDS.stepId);
  const deadline = reader.optional(FIELDS.deadline);
  const metadata = readRequesterMetadata(reader);
  const meta = reader.meta();
  const deliveryCount = message.properties.headers?.[HEADERS.deliveryCount];
  if (
    reader.issues.length > 0 ||
    requestId === undefined ||
    attempt === undefined ||
    workerType === undefined ||
    contentType === undefined ||
    step === undefined
  ) {
    return rejected('job message', reader.issues);
  }
  // The spread comes last: V8 builds `{ ...x, more }` on a slow path (microseconds per message).
  return parsed({
    requestId,
    attempt,
    workerType,
    contentType,
    workflow,
    step,
    stepId,
    deadline,
    meta,
    messageId: propertyText(message.properties.messageId, 1024) ?? '',
    correlationId: propertyText(message.properties.correlationId),
    mimeType: propertyText(message.properties.contentType),
    body: message.content,
    redelivered: message.fields.redelivered,
    deliveryCount: typeof deliveryCount === 'number' ? deliveryCount : 0,
    ...metadata,
  });
}
