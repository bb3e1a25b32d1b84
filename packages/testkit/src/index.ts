/**
 * `@org/testkit`: fixtures for tests against the real broker and database.
 *
 * ```ts
 * const ns = useTestNamespace();            // own namespace and schema per test, cleaned up after
 * const events = await MessageCollector.start(ns().channel, ns().names.exchanges.events);
 * await events.waitFor(1, (m) => m.properties.headers?.['wm-state'] === 'SUCCESS');
 * ```
 */
export {
  DEFAULT_AMQP_URL,
  DEFAULT_DATABASE_URL,
  amqpUrl,
  databaseUrl,
  answers,
  dockerEngineAvailable,
} from './services';
export { createTestNamespace, useTestNamespace, type TestNamespace } from './test-namespace';
export { MessageCollector } from './message-collector';
export { TcpProxy, type ProxyMode } from './tcp-proxy';
export { deferred, withTimeout, waitFor, type Deferred, type WaitOptions } from './wait';
