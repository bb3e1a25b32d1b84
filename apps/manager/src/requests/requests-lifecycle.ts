import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type BatchConsumer } from '../messaging/batch-consumer';
import { DeadLetterConsumer } from './dead-letter.consumer';
import { Dispatcher } from './dispatch/dispatcher.service';
import { IntakeConsumer } from './intake.consumer';
import { OutcomesService } from './outcomes.service';
import { ResponsesConsumer } from './responses.consumer';
import { Sweeper } from './sweeper.service';
import { UnroutedConsumer } from './unrouted.consumer';

/**
 * Starts consuming once everything else is up (database migrated, configuration loaded,
 * topology declared, liveness heard), and stops first on shutdown: consumers stop taking
 * messages and finish their batches, the sweeps and dispatches in flight end, and only then do
 * the broker and database connections close.
 */
@Injectable()
export class RequestsLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Manager');
  private readonly consumers: BatchConsumer[];

  constructor(
    intake: IntakeConsumer,
    responses: ResponsesConsumer,
    deadLetters: DeadLetterConsumer,
    unrouted: UnroutedConsumer,
    private readonly sweeper: Sweeper,
    private readonly dispatcher: Dispatcher,
    private readonly applier: OutcomesService,
  ) {
    this.consumers = [responses.consumer, deadLetters.consumer, unrouted.consumer, intake.consumer];
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const consumer of this.consumers) await consumer.start();
    this.sweeper.start();
    this.logger.log('consuming requests, responses, dead letters and unroutable jobs');
  }

  async onModuleDestroy(): Promise<void> {
    // Intake first (last in the list), so no new work arrives while responses drain.
    for (const consumer of [...this.consumers].reverse()) await consumer.stop();
    // The last response batch's events and next-step jobs, sent after its acknowledgement.
    await this.applier.settled();
    await this.sweeper.stop();
    await this.dispatcher.stop();
  }
}
