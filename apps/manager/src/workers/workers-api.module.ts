import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { RequestsModule } from '../requests/requests.module';
import { WorkerViews } from './worker-views.service';
import { WorkersController } from './workers.controller';
import { WorkersModule } from './workers.module';

@Module({
  imports: [WorkersModule, ConfigModule, RequestsModule],
  controllers: [WorkersController],
  providers: [WorkerViews],
})
export class WorkersApiModule {}
