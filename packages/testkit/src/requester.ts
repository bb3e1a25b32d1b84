import { type ConsumeMessage } from 'amqplib';
import { buildRequest, HEADERS, type RequestInput } from '@org/protocol';
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
