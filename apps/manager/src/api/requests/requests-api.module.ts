import { Module } from '@nestjs/common';
import { RequestsModule } from '../../requests/requests.module';
import { WebhooksModule } from '../../webhooks/webhooks.module';
import { BatchCallbackIntake } from './batch-callback-intake';
import { RequestsController } from './requests.controller';

/** The REST side of requests: submit, list, inspect, retry, cancel, delete, output. */
@Module({
  imports: [RequestsModule, WebhooksModule],
  controllers: [RequestsController],
  providers: [BatchCallbackIntake],
})
export class RequestsApiModule {}
