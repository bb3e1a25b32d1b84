import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { LivenessConsumer } from './liveness.consumer';
import { WorkerCatalogue } from './worker-catalogue.service';

/** Worker liveness: who is alive, per type, by this replica's clock. */
@Module({
  imports: [MessagingModule],
  providers: [WorkerCatalogue, LivenessConsumer],
  exports: [WorkerCatalogue],
})
export class WorkersModule {}
