import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  ConfirmPublisher,
  connected,
  createConnection,
  type ConnectionLogger,
  type ManagedConnection,
} from '@org/amqp-kit';
import { DEFAULT_MAX_INFLIGHT_BYTES, type OutgoingMessage } from '@org/protocol';
import { type AmqpConnectionManager } from 'amqp-connection-manager';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';

const CONNECT_TIMEOUT_MS = 30_000;
/** AMQP heartbeat: a dead connection is noticed within two of them (the fault suite relies on 5 s). */
const HEARTBEAT_SECONDS = 5;
/** A publish unconfirmed after this rejects, so a caller never waits forever on a stalled broker. */
const PUBLISH_TIMEOUT_MS = 30_000;
/**
 * Publishes awaiting their confirm at once, and their bytes: past these, publishers wait their
 * turn instead of growing memory while the broker is slow (design 5.1, memory bounded by bytes).
 */
const PUBLISH_CAPACITY = 10_000;
const PUBLISH_MAX_BYTES = DEFAULT_MAX_INFLIGHT_BYTES;

/**
 * The replica's broker connection (reconnecting over every URL of `AMQP_URL`, through
 * `@org/amqp-kit`) and its confirm channel for everything it publishes: `publish()` resolves only
 * once the broker has confirmed the message, which is what lets callers record "dispatched" or
 * forget an outbox row.
 */
@Injectable()
export class AmqpService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Amqp');
  readonly connection: AmqpConnectionManager;
  private readonly managed: ManagedConnection;
  private readonly publisher: ConfirmPublisher;
  private readonly jobPublisher: ConfirmPublisher;

  constructor(@Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment) {
    const logger = nestConnectionLogger(this.logger);
    this.managed = createConnection({
      urls: environment.amqpUrl,
      name: `wm-manager:${environment.replicaId}`,
      heartbeatSeconds: HEARTBEAT_SECONDS,
      // A replica is a server: it retries at least every second, like a fixed delay did before.
      backoff: { initialMs: 250, maxMs: 1000 },
      logger,
    });
    this.connection = this.managed.manager;
    this.connection.on('connect', () => this.managed.resetBackoff());
    this.publisher = ConfirmPublisher.open(this.connection, {
      name: 'publisher',
      capacity: PUBLISH_CAPACITY,
      maxBytes: PUBLISH_MAX_BYTES,
      publishTimeoutMs: PUBLISH_TIMEOUT_MS,
      logger,
    });
    // Jobs get a channel without a publish timeout: a job whose confirm is late may still be
    // confirmed, and the dispatcher keeps its lease alive until it is, instead of publishing a
    // second copy (a job that runs twice). The connection manager resends what a lost channel
    // left unconfirmed, under the same attempt. The dispatcher's byte budget bounds it.
    // A nack replaces the channel: on RabbitMQ 3.10 a channel that published to a work queue
    // while its leader was being elected can be refused for good (ChannelRenewal); a refused
    // job is published again when its lease expires, by then on the new channel.
    this.jobPublisher = ConfirmPublisher.open(this.connection, {
      name: 'jobs',
      capacity: PUBLISH_CAPACITY,
      maxBytes: Math.floor(environment.maxInflightBytes / 2),
      renewOnNack: true,
      logger,
    });
  }

  async onModuleInit(): Promise<void> {
    await connected(this.managed, CONNECT_TIMEOUT_MS);
    await this.publisher.waitForConnect();
    await this.jobPublisher.waitForConnect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobPublisher.close().catch(() => undefined);
    await this.publisher.close().catch(() => undefined);
    this.managed.interruptBackoff();
    await this.connection.close().catch(() => undefined);
  }

  /** True while the broker connection is up (readiness). */
  isConnected(): boolean {
    return this.connection.isConnected();
  }

  /** Publishes one message and resolves when the broker confirmed it (rejects on nack or timeout). */
  async publish(message: OutgoingMessage): Promise<void> {
    await this.publisher.publish(message);
  }

  /**
   * Publishes a job and resolves when the broker confirmed it, however long that takes (no
   * timeout: see the job channel); rejects on a nack or when the manager closes.
   */
  async publishJob(message: OutgoingMessage): Promise<void> {
    await this.jobPublisher.publish(message);
  }

  /** Sends a copy of `message` straight to a queue through the default exchange (replyTo). */
  async sendToQueue(queue: string, message: OutgoingMessage): Promise<void> {
    await this.publisher.publish({ ...message, exchange: '', routingKey: queue });
  }
}

/** The kit logs a message and structured fields; Nest's logger takes one line. */
function nestConnectionLogger(logger: Logger): ConnectionLogger {
  const line = (message: string, fields?: Readonly<Record<string, unknown>>) => {
    const details = Object.entries(fields ?? {})
      .filter(([, value]) => value !== undefined)
      .map(
        ([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
      );
    return details.length > 0 ? `${message} (${details.join(', ')})` : message;
  };
  return {
    info: (message, fields) => logger.log(line(message, fields)),
    warn: (message, fields) => logger.warn(line(message, fields)),
  };
}
