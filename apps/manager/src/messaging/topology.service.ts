import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type ChannelWrapper } from 'amqp-connection-manager';
import { type Channel } from 'amqplib';
import { assertTopology, managerTopology, type Names } from '@org/protocol';
import { ConfigService } from '../config/config.service';
import { NAMES } from '../config/environment.tokens';
import { AmqpService } from './amqp.service';

/**
 * Declares the manager's topology, worker queues of every configured type included, at start,
 * after every reconnect and whenever the configuration changes: a worker with least privilege
 * (or in another language) then only has to check that its queue exists.
 */
@Injectable()
export class TopologyService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Topology');
  private channel: ChannelWrapper | undefined;

  constructor(
    private readonly amqp: AmqpService,
    private readonly config: ConfigService,
    @Inject(NAMES) private readonly names: Names,
  ) {}

  async onModuleInit(): Promise<void> {
    this.channel = this.amqp.connection.createChannel({
      name: 'topology',
      setup: async (channel: Channel) => {
        channel.on('error', (error: Error) =>
          this.logger.error(`topology channel error: ${error.message}`),
        );
        await assertTopology(channel, managerTopology(this.names, this.config.workerTypes()));
      },
    });
    this.channel.on('error', (error: Error) => this.logger.error(error.message));
    await this.channel.waitForConnect();
    this.config.onChange(() => this.declare());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel?.close().catch(() => undefined);
  }

  /** Declares the topology of the configuration in effect. */
  async declare(): Promise<void> {
    if (!this.channel) return;
    await assertTopology(this.channel, managerTopology(this.names, this.config.workerTypes()));
  }
}
