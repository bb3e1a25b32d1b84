import { Module } from '@nestjs/common';
import { MessagingModule } from '../../messaging/messaging.module';
import { EventsController } from './events.controller';
import { EventStreams } from './event-streams.service';

/** Live requester events over HTTP (Server-Sent Events) for clients without AMQP. */
@Module({
  imports: [MessagingModule],
  controllers: [EventsController],
  providers: [EventStreams],
})
export class EventsApiModule {}
