import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { MessagingModule } from '../messaging/messaging.module';
import { WorkersModule } from '../workers/workers.module';
import { TracingModule } from '../tracing/tracing.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { ChangeCommitter } from './change-committer.service';
import { DispatchControls } from './dispatch/dispatch-controls.service';
import { Dispatcher } from './dispatch/dispatcher.service';
import { DispatchStates } from './dispatch/dispatch-states.service';
import { EngineContextFactory } from './engine-context.factory';
import { DeadLettersHandler } from './handlers/dead-letters.handler';
import { IntakeHandler } from './handlers/intake.handler';
import { ResponsesHandler } from './handlers/responses.handler';
import { UnroutedHandler } from './handlers/unrouted.handler';
import { ControlOrders } from './events/control-orders.service';
import { RequesterEvents } from './events/requester-events.service';
import { IntakeService } from './intake.service';
import { OutcomesService } from './outcomes.service';
import { RequestBulkOperations } from './request-bulk.service';
import { RequestCounters } from './request-counters';
import { RequestReads } from './request-reads.service';
import { RequestTimings } from './request-timings';
import { RequestsLifecycle } from './requests-lifecycle';
import { RequestsService } from './requests.service';
import { DispatchRepository } from './store/dispatch.repository';
import { OutboxRepository } from './store/outbox.repository';
import { RequestReadsRepository } from './store/request-reads.repository';
import { RequestsRepository } from './store/requests.repository';
import { GraphStepsRepository } from './store/graph-steps.repository';
import { GraphRunner } from './graph-runner.service';
import { SweepsRepository } from './store/sweeps.repository';
import { Sweeper } from './sweeper.service';

/**
 * The request engine: the store (every statement on the requests, outbox and related tables),
 * the pure decisions (`engine/`), and the thin services that lock, decide, write and send:
 * intake, dispatch, outcomes, operations, sweeps.
 */
@Module({
  imports: [
    ConfigModule,
    MessagingModule,
    WorkersModule,
    WorkflowsModule,
    WebhooksModule,
    TracingModule,
  ],
  // Message handlers, declared like controllers and hosted by the batch transport.
  controllers: [IntakeHandler, ResponsesHandler, DeadLettersHandler, UnroutedHandler],
  providers: [
    RequestsRepository,
    GraphStepsRepository,
    GraphRunner,
    DispatchRepository,
    SweepsRepository,
    OutboxRepository,
    RequestReadsRepository,
    RequestCounters,
    RequestTimings,
    EngineContextFactory,
    RequesterEvents,
    ControlOrders,
    Dispatcher,
    DispatchControls,
    DispatchStates,
    ChangeCommitter,
    IntakeService,
    OutcomesService,
    Sweeper,
    RequestsService,
    RequestReads,
    RequestBulkOperations,
    RequestsLifecycle,
  ],
  exports: [
    RequestsService,
    RequestReads,
    RequestBulkOperations,
    DispatchControls,
    DispatchStates,
    RequestCounters,
    RequestTimings,
    IntakeService,
    Dispatcher,
    Sweeper,
    RequesterEvents,
    SweepsRepository,
    DispatchRepository,
  ],
})
export class RequestsModule {}
