import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { AmqpService } from './amqp.service';
import { EventsService } from './events.service';
import { ResponseParking } from './response-parking';
import { TopologyService } from './topology.service';

/** The broker connection, the topology, requester events and the parking of unreadable responses. */
@Module({
  imports: [ConfigModule],
  providers: [AmqpService, TopologyService, EventsService, ResponseParking],
  exports: [AmqpService, TopologyService, EventsService, ResponseParking],
})
export class MessagingModule {}
