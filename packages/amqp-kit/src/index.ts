/**
 * `@org/amqp-kit` (internal): what `@org/worker-sdk` and the manager both need from AMQP, written
 * once.
 *
 * ```ts
 * import { ChannelLeases, ConfirmPublisher, createConnection } from '@org/amqp-kit';
 *
 * const connection = createConnection({ urls: process.env.AMQP_URL!, name: 'my-worker', logger });
 * const publisher = ConfirmPublisher.open(connection.manager, { name: 'publish', capacity: 1000, logger });
 * await publisher.publish(message); // resolves once the broker confirmed it
 * ```
 */
export { parseAmqpUrls } from './amqp-urls';
export { redactUrl, redactUrls, redactSecrets } from './redact';
export { Backoff, InterruptibleSleep } from './backoff';
export { type ConnectionLogger } from './connection-logger';
export {
  createConnection,
  connected,
  ConnectionFailedError,
  type ConnectionOptions,
  type ManagedConnection,
} from './connection';
export { ChannelLease, ChannelLeases, type Settlement, type SettleOutcome } from './channel-lease';
export {
  type ChannelRenewal,
  ConfirmPublisher,
  type ConfirmPublisherLimits,
  type ConfirmPublisherOptions,
  type PublishableMessage,
  type PublishChannel,
} from './confirm-publisher';
export { brokerRefusal, type BrokerRefusal, type RefusalKind } from './broker-refusal';
export {
  ChannelRecovery,
  type ChannelRecoveryOptions,
  type Reconnectable,
} from './channel-recovery';
