import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { MessagingModule } from '../messaging/messaging.module';
import { RequestsModule } from '../requests/requests.module';
import { WorkersModule } from '../workers/workers.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({
  imports: [ConfigModule, MessagingModule, RequestsModule, WorkersModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
