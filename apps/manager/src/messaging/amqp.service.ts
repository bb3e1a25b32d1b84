import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import { type ConfirmChannel } from 'amqplib';
import { type OutgoingMessage } from '@org/protocol';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { brokerUrls, redactUrl } from '../config/broker-urls';

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * The replica's broker connection (reconnecting, via amqp-connection-manager) and its confirm
 * channel for everything it publishes: `publish()` resolves only once the broker has confirmed
 * the message, which is what lets callers record "dispatched" or forget an outbox row.
 *
 * With several URLs (`AMQP_URL` listing the nodes of a cluster) the connection goes to the first
 * and, whenever it is lost or refused, to the next one in turn, one attempt a second; every
 * channel (topology, consumers) runs its setup again on the new node.
 */
@Injectable()
export class AmqpService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Amqp');
  readonly connection: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private readonly jobPublisher: ChannelWrapper;

  constructor(@Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment) {
    this.connection = amqp.connect([...brokerUrls(environment.amqpUrl)], {
      heartbeatIntervalInSeconds: 5,
      reconnectTimeInSeconds: 1,
      connectionOptions: {
        clientProperties: { connection_name: `wm-manager:${environment.replicaId}` },
      },
    });
    this.connection.on('connect', ({ url }: { url: unknown }) =>
      this.logger.log(`connected to the broker at ${describeUrl(url)}`),
    );
    this.connection.on('disconnect', ({ err }: { err?: Error }) =>
      this.logger.warn(`broker connection lost${err ? `: ${err.message}` : ''}`),
    );
    this.connection.on('connectFailed', ({ err, url }: { err?: Error; url?: unknown }) =>
      this.logger.warn(
        `cannot connect to the broker at ${describeUrl(url)}${err ? `: ${err.message}` : ''}`,
      ),
    );
    this.publisher = this.connection.createChannel({
      name: 'publisher',
      confirm: true,
      publishTimeout: 30_000,
      setup: async (channel: ConfirmChannel) => {
        channel.on('error', (error: Error) =>
          this.logger.warn(`publisher channel error: ${error.message}`),
        );
        await Promise.resolve();
      },
    });
    this.publisher.on('error', (error: Error) => this.logger.warn(`publisher: ${error.message}`));
    // Jobs get a channel without a publish timeout: a job whose confirm is late may still be
    // confirmed, and the dispatcher keeps its lease alive until it is, instead of publishing a
    // second copy (a job that runs twice). The connection manager resends what a lost channel
    // left unconfirmed, under the same attempt.
    this.jobPublisher = this.connection.createChannel({
      name: 'jobs',
      confirm: true,
      setup: async (channel: ConfirmChannel) => {
        channel.on('error', (error: Error) =>
          this.logger.warn(`job publisher channel error: ${error.message}`),
        );
        await Promise.resolve();
      },
    });
    this.jobPublisher.on('error', (error: Error) =>
      this.logger.warn(`job publisher: ${error.message}`),
    );
  }

  async onModuleInit(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no broker connection at ${redactUrl(this.environment.amqpUrl)} after ${CONNECT_TIMEOUT_MS} ms`,
            ),
          ),
        CONNECT_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.publisher.waitForConnect(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobPublisher.close().catch(() => undefined);
    await this.publisher.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  /** True while the broker connection is up (readiness). */
  isConnected(): boolean {
    return this.connection.isConnected();
  }

  /** Publishes one message and resolves when the broker confirmed it (rejects on nack or timeout). */
  async publish(message: OutgoingMessage): Promise<void> {
    await this.publisher.publish(
      message.exchange,
      message.routingKey,
      message.content,
      message.options,
    );
  }

  /**
   * Publishes a job and resolves when the broker confirmed it, however long that takes (no
   * timeout: see the job channel); rejects on a nack or when the manager closes.
   */
  async publishJob(message: OutgoingMessage): Promise<void> {
    await this.jobPublisher.publish(
      message.exchange,
      message.routingKey,
      message.content,
      message.options,
    );
  }

  /** Sends a copy of `message` straight to a queue through the default exchange (replyTo). */
  async sendToQueue(queue: string, message: OutgoingMessage): Promise<void> {
    await this.publisher.publish('', queue, message.content, message.options);
  }
}

// amqp-connection-manager reports the URL it tried as given (a string here).
function describeUrl(url: unknown): string {
  return typeof url === 'string' ? redactUrl(url) : 'the next URL';
}
