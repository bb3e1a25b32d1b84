import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type ChannelWrapper } from 'amqp-connection-manager';
import { type Channel } from 'amqplib';
import { assertTopology, livenessTopology, parseWorkerMessage, type Names } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { AmqpService } from '../messaging/amqp.service';
import { WorkerCatalogue } from './worker-catalogue.service';

/**
 * Hears registrations, heartbeats and unregistrations on this replica's own exclusive queue
 * (every replica hears every worker). Messages are consumed without acknowledgement: a lost
 * heartbeat is replaced by the next one.
 */
@Injectable()
export class LivenessConsumer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Liveness');
  private channel: ChannelWrapper | undefined;
  private warned = 0;

  constructor(
    private readonly amqp: AmqpService,
    private readonly catalogue: WorkerCatalogue,
    @Inject(NAMES) private readonly names: Names,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

  async onModuleInit(): Promise<void> {
    const topology = livenessTopology(this.names, this.environment.replicaId);
    this.channel = this.amqp.connection.createChannel({
      name: 'liveness',
      setup: async (channel: Channel) => {
        channel.on('error', (error: Error) =>
          this.logger.warn(`liveness channel error: ${error.message}`),
        );
        await assertTopology(channel, topology);
        await channel.consume(
          this.names.livenessQueue(this.environment.replicaId),
          (message) => {
            if (!message) return;
            const parsed = parseWorkerMessage(message);
            if (parsed.ok) this.catalogue.record(parsed.value);
            else if (this.warned++ < 100)
              this.logger.warn(`ignored worker message: ${parsed.error.message}`);
          },
          { noAck: true },
        );
      },
    });
    this.channel.on('error', (error: Error) => this.logger.warn(error.message));
    await this.channel.waitForConnect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel?.close().catch(() => undefined);
  }
}
