import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { AmqpService } from './amqp.service';
import { EventsService } from './events.service';
import { TopologyService } from './topology.service';

/** The broker connection, the topology and requester events. */
@Module({
  imports: [ConfigModule],
  providers: [AmqpService, TopologyService, EventsService],
  exports: [AmqpService, TopologyService, EventsService],
})
export class MessagingModule {}
