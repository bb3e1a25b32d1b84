import { type ConsumeMessage } from 'amqplib';
import {
  buildRequest,
  buildRequestBatches,
  HEADERS,
  type FrameLimits,
  type RequestInput,
} from '@org/protocol';
import { MessageCollector } from './message-collector';
import { type TestNamespace } from './test-namespace';

/**
 * What a requester does in a test, on the namespace's own channel: publish requests and read the
 * events back. Shared by the manager's tests and the examples' end-to-end tests.
 */

/** Publishes a request on `<ns>.requests` as a requester would. */
export function publishRequest(ns: TestNamespace, input: RequestInput): void {
  const message = buildRequest(ns.names, input);
  ns.channel.publish(message.exchange, message.routingKey, message.content, message.options);
}

/**
 * Publishes requests as request batches (design 5.2: one message per up to 1,000 items, split by
 * the frame limits) on `<ns>.requests`, as a v2 requester would, on a confirm channel, and
 * resolves once the broker confirmed every batch. Returns how many items each message carried.
 */
export async function publishRequestBatch(
  ns: TestNamespace,
  inputs: readonly RequestInput[],
  limits?: FrameLimits,
): Promise<number[]> {
  const batches = buildRequestBatches(ns.names, inputs, limits);
  const channel = await ns.connection.createConfirmChannel();
  try {
    for (const { message } of batches) {
      channel.publish(message.exchange, message.routingKey, message.content, message.options);
    }
    await channel.waitForConfirms();
  } finally {
    await channel.close();
  }
  return batches.map((batch) => batch.count);
}

/** Collects every event of the namespace. */
export function collectEvents(ns: TestNamespace): Promise<MessageCollector> {
  return MessageCollector.start(ns.channel, ns.names.exchanges.events);
}

/** One header of a message, as received. */
export function header(message: ConsumeMessage, name: string): unknown {
  const headers: Record<string, unknown> | undefined = message.properties.headers;
  return headers?.[name];
}

/** Matches events of one request, optionally in one state. */
export function eventOf(requestId: string, state?: string): (message: ConsumeMessage) => boolean {
  return (message) =>
    header(message, HEADERS.requestId) === requestId &&
    (state === undefined || header(message, HEADERS.state) === state);
}

/** Matches events in `state`, of any request. */
export function inState(state: string): (message: ConsumeMessage) => boolean {
  return (message) => header(message, HEADERS.state) === state;
}

/** The states of a request's events, in arrival order. */
export function statesOf(events: MessageCollector, requestId: string): string[] {
  return events
    .matching(eventOf(requestId))
    .map((message) => String(header(message, HEADERS.state)));
}
