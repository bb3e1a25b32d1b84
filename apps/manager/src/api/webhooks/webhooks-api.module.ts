import { Module } from '@nestjs/common';
import { WebhooksModule } from '../../webhooks/webhooks.module';
import { WebhookHistoryController } from './webhook-history.controller';

/** The REST side of webhooks: each request's delivery history. */
@Module({
  imports: [WebhooksModule],
  controllers: [WebhookHistoryController],
})
export class WebhooksApiModule {}
