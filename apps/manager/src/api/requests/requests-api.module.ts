import { Module } from '@nestjs/common';
import { RequestsModule } from '../../requests/requests.module';
import { RequestsController } from './requests.controller';

/** The REST side of requests: submit, list, inspect, retry, cancel, delete, output. */
@Module({
  imports: [RequestsModule],
  controllers: [RequestsController],
})
export class RequestsApiModule {}
