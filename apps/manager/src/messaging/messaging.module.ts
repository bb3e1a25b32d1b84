import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { AmqpService } from './amqp.service';
import { TopologyService } from './topology.service';

/** The broker connection and the topology (transport only). */
@Module({
  imports: [ConfigModule],
  providers: [AmqpService, TopologyService],
  exports: [AmqpService, TopologyService],
})
export class MessagingModule {}
