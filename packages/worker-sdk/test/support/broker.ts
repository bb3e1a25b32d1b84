import { type ConsumeMessage } from 'amqplib';
import {
  assertTopology,
  buildJob,
  HEADERS,
  jobMessageId,
  managerTopology,
  parseResponse,
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
  const attempt = input.attempt ?? 1;
  return buildJob(ns.names, {
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
  });
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
