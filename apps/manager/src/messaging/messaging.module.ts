import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { type Names } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { AmqpService } from './amqp.service';
import { BatchTransport } from './batch-transport';
import { MessageParking } from './message-parking';
import { TopologyService } from './topology.service';

/** The broker connection, the topology, the consumers' transport and the parking of unreadable responses. */
@Module({
  imports: [ConfigModule],
  providers: [
    AmqpService,
    TopologyService,
    MessageParking,
    {
      provide: BatchTransport,
      inject: [AmqpService, NAMES, MANAGER_ENVIRONMENT],
      useFactory: (amqp: AmqpService, names: Names, environment: ManagerEnvironment) =>
        new BatchTransport(amqp.connection, (key) => names.queues[key], {
          prefetch: environment.prefetch,
          batchSize: environment.batchSize,
          windowMs: environment.batchWindowMs,
          // WM_MAX_INFLIGHT_BYTES is the total: an eighth for each of the two consumers of
          // payloads (requests, responses), half for dispatch claims, a quarter for events.
          maxBufferedBytes: Math.floor(environment.maxInflightBytes / 8),
          maxMessageBytes: environment.maxPayloadBytes,
        }),
    },
  ],
  exports: [AmqpService, TopologyService, BatchTransport, MessageParking],
})
export class MessagingModule {}
