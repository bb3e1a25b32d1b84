import { Module } from '@nestjs/common';
import { RequestBulkOperations } from './request-bulk.service';
import { RequestQueries } from './request-queries.service';
import { RequestsController } from './requests.controller';
import { RequestsModule } from './requests.module';

/** The REST side of requests: submit, list, inspect, retry, cancel, delete. */
@Module({
  imports: [RequestsModule],
  controllers: [RequestsController],
  providers: [RequestQueries, RequestBulkOperations],
  exports: [RequestQueries],
})
export class RequestsApiModule {}
