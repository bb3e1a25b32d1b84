import { HEADERS } from '../headers';
import { type IncomingMessage, type OutgoingMessage } from '../messages/amqp-message';
import {
  buildEvent,
  parseEvent,
  type EventInput,
  type EventMessage,
} from '../messages/event-message';
import { buildJob, parseJob, type DeliveredJob, type JobInput } from '../messages/job-message';
import {
  buildRequest,
  parseRequest,
  type RequestInput,
  type RequestMessage,
} from '../messages/request-message';
import {
  buildResponse,
  parseResponse,
  type ResponseInput,
  type ResponseMessage,
} from '../messages/response-message';
import { type Names } from '../names';
import { routingWord, type ResponseStatus } from '../states';
import { type ParseResult } from '../validation';
import {
  batchMessages,
  onlyBatch,
  parseBatch,
  type BatchItem,
  type BatchOutgoing,
} from './batch-message';
import { type FrameLimits } from './frame-limits';

/**
 * Batch builders and parsers per message kind (design 5.2). Each item is built by the kind's own
 * single-message builder and read back by its own parser, so an item means exactly what the same
 * message sent alone would. The plural builders split what does not fit one frame; the singular
 * ones throw a RangeError instead.
 */

/** Routing key of a request batch: the items' content type when they share one, else this. */
export const MIXED_BATCH_ROUTING_WORD = 'batch';

// ---- requests: requesters → <ns>.requests (each item's wm-content-type routes it) -------------

export function buildRequestBatches(
  names: Names,
  requests: readonly RequestInput[],
  limits?: FrameLimits,
): BatchOutgoing[] {
  return batchMessages(
    requests.map((request) => buildRequest(names, request)),
    (group) => ({
      exchange: names.exchanges.requests,
      routingKey: common(group.map((request) => request.routingKey)) ?? MIXED_BATCH_ROUTING_WORD,
    }),
    limits,
  );
}

export function buildRequestBatch(
  names: Names,
  requests: readonly RequestInput[],
  limits?: FrameLimits,
): OutgoingMessage {
  return onlyBatch(buildRequestBatches(names, requests, limits), 'buildRequestBatches');
}

export function parseRequestBatch(
  message: IncomingMessage,
  limits?: FrameLimits,
): ParseResult<readonly BatchItem<RequestMessage>[]> {
  return parseBatch(message, 'request batch', parseRequest, limits);
}

// ---- jobs: manager → <ns>.jobs, routing key = the worker type they all share ---------------------

export function buildJobBatches(
  names: Names,
  jobs: readonly JobInput[],
  limits?: FrameLimits,
): BatchOutgoing[] {
  const workerType = common(jobs.map((job) => job.workerType));
  if (workerType === undefined && jobs.length > 0) {
    throw new TypeError('a job batch goes to one worker type: every job must name the same one');
  }
  return batchMessages(
    jobs.map((job) => buildJob(names, job)),
    () => ({
      exchange: names.exchanges.jobs,
      routingKey: workerType!,
      headers: { [HEADERS.workerType]: workerType },
    }),
    limits,
  );
}

export function buildJobBatch(
  names: Names,
  jobs: readonly JobInput[],
  limits?: FrameLimits,
): OutgoingMessage {
  return onlyBatch(buildJobBatches(names, jobs, limits), 'buildJobBatches');
}

/** Each item as a delivered job; its `redelivered` and `deliveryCount` are the batch message's. */
export function parseJobBatch(
  message: IncomingMessage,
  limits?: FrameLimits,
): ParseResult<readonly BatchItem<DeliveredJob>[]> {
  return parseBatch(message, 'job batch', parseJob, limits);
}

// ---- responses: a worker → <ns>.responses, key <status>.<type> (batch.<type> when mixed) -------

export function buildResponseBatches(
  names: Names,
  responses: readonly ResponseInput[],
  limits?: FrameLimits,
): BatchOutgoing[] {
  const workerType = common(responses.map((response) => response.workerType));
  if (workerType === undefined && responses.length > 0) {
    throw new TypeError(
      'a response batch comes from one worker type: every response must name the same one',
    );
  }
  return batchMessages(
    responses.map((response) => buildResponse(names, response)),
    (group) => {
      const status = common(group.map((single) => single.options.headers[HEADERS.status]));
      const word =
        status === undefined ? MIXED_BATCH_ROUTING_WORD : routingWord(status as ResponseStatus);
      return {
        exchange: names.exchanges.responses,
        routingKey: `${word}.${workerType!}`,
        headers: {
          [HEADERS.workerType]: workerType,
          [HEADERS.workerId]: common(
            group.map((single) => single.options.headers[HEADERS.workerId]),
          ),
        },
      };
    },
    limits,
  );
}

export function buildResponseBatch(
  names: Names,
  responses: readonly ResponseInput[],
  limits?: FrameLimits,
): OutgoingMessage {
  return onlyBatch(buildResponseBatches(names, responses, limits), 'buildResponseBatches');
}

export function parseResponseBatch(
  message: IncomingMessage,
  limits?: FrameLimits,
): ParseResult<readonly BatchItem<ResponseMessage>[]> {
  return parseBatch(message, 'response batch', parseResponse, limits);
}

// ---- events: manager → a request's replyTo queue (default exchange), when it accepts batches ---

export function buildEventBatches(
  names: Names,
  replyTo: string,
  events: readonly EventInput[],
  limits?: FrameLimits,
): BatchOutgoing[] {
  return batchMessages(
    events.map((event) => buildEvent(names, event)),
    () => ({ exchange: '', routingKey: replyTo }),
    limits,
  );
}

export function buildEventBatch(
  names: Names,
  replyTo: string,
  events: readonly EventInput[],
  limits?: FrameLimits,
): OutgoingMessage {
  return onlyBatch(buildEventBatches(names, replyTo, events, limits), 'buildEventBatches');
}

export function parseEventBatch(
  message: IncomingMessage,
  limits?: FrameLimits,
): ParseResult<readonly BatchItem<EventMessage>[]> {
  return parseBatch(message, 'event batch', parseEvent, limits);
}

function common<T>(values: readonly T[]): T | undefined {
  const first = values[0];
  return values.every((value) => value === first) ? first : undefined;
}
