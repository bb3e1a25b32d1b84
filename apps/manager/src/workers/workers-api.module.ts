import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { RequestsApiModule } from '../requests/requests-api.module';
import { WorkerViews } from './worker-views.service';
import { WorkersController } from './workers.controller';
import { WorkersModule } from './workers.module';

@Module({
  imports: [WorkersModule, ConfigModule, RequestsApiModule],
  controllers: [WorkersController],
  providers: [WorkerViews],
})
export class WorkersApiModule {}
