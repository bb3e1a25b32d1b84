/**
 * `@org/testkit`: fixtures for tests against the real broker and database.
 *
 * ```ts
 * const ns = useTestNamespace();            // own namespace and schema per test, cleaned up after
 * const events = await collectEvents(ns());      // every event of the namespace
 * publishRequest(ns(), { requestId: 'r1', contentType: 'text/echo', body: Buffer.from('hi') });
 * await publishRequestBatch(ns(), inputs); // v2: request batches, confirmed
 * await events.first(eventOf('r1', 'SUCCESS'));
 * ```
 *
 * For `pnpm test:cluster`: `RabbitCluster` starts extra nodes of the installed RabbitMQ as a
 * cluster, `PgBouncer` a real pooler in front of the test PostgreSQL; both clean up after
 * themselves, even when the test process is killed.
 */
export {
  DEFAULT_AMQP_URL,
  DEFAULT_DATABASE_URL,
  amqpUrl,
  databaseUrl,
  answers,
  dockerEngineAvailable,
} from './services';
export {
  createTestNamespace,
  useTestNamespace,
  type TestNamespace,
  type TestNamespaceOptions,
} from './test-namespace';
export { sweepTestQueues, TEST_QUEUE_PATTERN, type SweepResult } from './broker-sweep';
export { MessageCollector } from './message-collector';
export {
  collectEvents,
  eventOf,
  header,
  inState,
  publishRequest,
  publishRequestBatch,
  statesOf,
} from './requester';
export { TcpProxy, type ProxyMode } from './tcp-proxy';
export { deferred, withTimeout, waitFor, type Deferred, type WaitOptions } from './wait';
export { freePort } from './free-port';
export { RabbitCluster, type ClusterNode, type RabbitClusterOptions } from './rabbitmq-cluster';
export { PgBouncer, type PgBouncerOptions, type PoolFigures } from './pgbouncer';
