import { Module } from '@nestjs/common';
import { RequestTraces } from './request-traces';

/** One `RequestTraces` per replica: the request engine and the webhooks share its memory. */
@Module({ providers: [RequestTraces], exports: [RequestTraces] })
export class TracingModule {}
