import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { MessagingModule } from '../messaging/messaging.module';
import { RequestsModule } from '../requests/requests.module';
import { InstanceControl } from './instance-control.service';
import { WorkerViews } from './worker-views.service';
import { WorkersController } from './workers.controller';
import { WorkersModule } from './workers.module';

/** The REST side of workers: the listing, and drain/resume orders to one instance. */
@Module({
  imports: [WorkersModule, ConfigModule, MessagingModule, RequestsModule],
  controllers: [WorkersController],
  providers: [WorkerViews, InstanceControl],
})
export class WorkersApiModule {}
