import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { MessagingModule } from '../messaging/messaging.module';
import { WorkersModule } from '../workers/workers.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { DeadLetterConsumer } from './dead-letter.consumer';
import { Dispatcher } from './dispatcher.service';
import { IntakeConsumer } from './intake.consumer';
import { IntakeService } from './intake.service';
import { OutcomeApplier } from './outcome-applier.service';
import { RequestCounters } from './request-counters';
import { RequestTimings } from './request-timings';
import { RequestsLifecycle } from './requests-lifecycle';
import { RequestsService } from './requests.service';
import { ResponsesConsumer } from './responses.consumer';
import { RowWriter } from './row-writer';
import { Sweeper } from './sweeper.service';
import { UnroutedConsumer } from './unrouted.consumer';

/** The request flow: intake, dispatch, responses, failures, sweeps, and the operations on requests. */
@Module({
  imports: [ConfigModule, MessagingModule, WorkersModule, WorkflowsModule],
  providers: [
    RequestCounters,
    RequestTimings,
    RowWriter,
    Dispatcher,
    IntakeService,
    OutcomeApplier,
    IntakeConsumer,
    ResponsesConsumer,
    DeadLetterConsumer,
    UnroutedConsumer,
    Sweeper,
    RequestsService,
    RequestsLifecycle,
  ],
  exports: [RequestsService, RequestCounters, RequestTimings, IntakeService, Dispatcher, Sweeper],
})
export class RequestsModule {}
