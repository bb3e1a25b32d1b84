import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { InstancePruner } from './instance-pruner.service';
import { InstanceRepository } from './instance.repository';
import { LivenessDatabase } from './liveness-database';
import { PayloadSchemas } from './payload-schemas.service';
import { RegistrationRepository } from './registration.repository';
import { WorkerCatalogue } from './worker-catalogue.service';
import { WorkerMessageCounters } from './worker-message-counters';
import { WorkerMessagesConsumer } from './worker-messages.consumer';
import { WorkerRegistry } from './worker-registry.service';

/**
 * Workers as the manager knows them: liveness leases in PostgreSQL written from the shared
 * liveness queue and read by every replica, registrations, and payload schema checks.
 */
@Module({
  imports: [MessagingModule],
  providers: [
    LivenessDatabase,
    InstanceRepository,
    RegistrationRepository,
    WorkerCatalogue,
    WorkerRegistry,
    PayloadSchemas,
    WorkerMessageCounters,
    WorkerMessagesConsumer,
    InstancePruner,
  ],
  exports: [
    WorkerCatalogue,
    WorkerRegistry,
    PayloadSchemas,
    InstanceRepository,
    WorkerMessageCounters,
  ],
})
export class WorkersModule {}
