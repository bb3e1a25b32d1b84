import { type ConsumeMessage } from 'amqplib';
import {
  assertTopology,
  buildJob,
  buildJobBatch,
  HEADERS,
  isBatch,
  jobMessageId,
  managerTopology,
  parseResponse,
  parseResponseBatch,
  parseWorkerMessage,
  type JobInput,
  type OutgoingMessage,
  type ResponseMessage,
  type WorkerMessage,
} from '@org/protocol';
import { type TestNamespace } from '@org/testkit';
import { type LogEntry } from '../../src/testing/run-job';
import { type Logger, type LogLevel } from '../../src/logger';

/** Declares what the manager would (every exchange, its queues, the worker type's queue). */
export async function declareManagerTopology(
  ns: TestNamespace,
  ...workerTypes: string[]
): Promise<void> {
  for (const type of workerTypes) ns.workerTypes.add(type);
  await assertTopology(ns.channel, managerTopology(ns.names, workerTypes));
}

/** A job exactly as the manager dispatches it. */
export function job(
  ns: TestNamespace,
  workerType: string,
  requestId: string,
  input: Partial<JobInput> = {},
): OutgoingMessage {
  return buildJob(ns.names, jobInput(workerType, requestId, input));
}

/** Input of a job as the manager builds it (the defaults of {@link job}). */
export function jobInput(
  workerType: string,
  requestId: string,
  input: Partial<JobInput> = {},
): JobInput {
  const attempt = input.attempt ?? 1;
  return {
    requestId,
    attempt,
    workerType,
    contentType: 'test/input',
    step: 0,
    messageId: jobMessageId(requestId, attempt),
    correlationId: requestId,
    mimeType: 'application/json',
    body: Buffer.from(JSON.stringify({ n: requestId })),
    ...input,
  };
}

/** A job batch frame exactly as a v2 manager dispatches it. */
export function jobBatch(
  ns: TestNamespace,
  workerType: string,
  requestIds: readonly string[],
  input: Partial<JobInput> = {},
): OutgoingMessage {
  return buildJobBatch(
    ns.names,
    requestIds.map((id) => jobInput(workerType, id, input)),
  );
}

/** Every response a collected message carries: one, or each item of a response batch. */
export function responsesOf(message: ConsumeMessage): ResponseMessage[] {
  if (!isBatch(message)) return [response(message)];
  const batch = parseResponseBatch(message);
  if (!batch.ok) throw batch.error;
  return batch.value.map((item) => {
    if (!item.parsed.ok) throw item.parsed.error;
    return item.parsed.value;
  });
}

/** Every response collected so far, batches flattened, in arrival order. */
export function allResponses(messages: readonly ConsumeMessage[]): ResponseMessage[] {
  return messages.flatMap(responsesOf);
}

/** How many final (not RUNNING or PROGRESS) responses the collected messages carry. */
export function finalCount(messages: readonly ConsumeMessage[]): number {
  return allResponses(messages).filter((r) => r.status !== 'RUNNING' && r.status !== 'PROGRESS')
    .length;
}

/** Publishes with plain amqplib on a confirm channel and waits for the broker's confirms. */
export async function publish(ns: TestNamespace, ...messages: OutgoingMessage[]): Promise<void> {
  const channel = await ns.connection.createConfirmChannel();
  try {
    for (const message of messages) {
      channel.publish(message.exchange, message.routingKey, message.content, message.options);
    }
    await channel.waitForConfirms();
  } finally {
    await channel.close();
  }
}

export function response(message: ConsumeMessage): ResponseMessage {
  const parsed = parseResponse(message);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

export function workerMessage(message: ConsumeMessage): WorkerMessage {
  const parsed = parseWorkerMessage(message);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

export function statusOf(message: ConsumeMessage): unknown {
  return message.properties.headers?.[HEADERS.status];
}

/** A logger that keeps entries in memory, so tests stay quiet and can assert on what was logged. */
export function memoryLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const add =
    (level: LogLevel) =>
    (msg: string, fields: Readonly<Record<string, unknown>> = {}) =>
      void entries.push({ level, msg, fields });
  return {
    entries,
    debug: add('debug'),
    info: add('info'),
    warn: add('warn'),
    error: add('error'),
    isLevelEnabled: (level) => level !== 'debug',
  };
}
