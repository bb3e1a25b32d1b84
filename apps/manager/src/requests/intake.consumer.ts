import { Inject, Injectable } from '@nestjs/common';
import { type Names } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { AmqpService } from '../messaging/amqp.service';
import { BatchConsumer } from '../messaging/batch-consumer';
import { intakeItemOf } from './intake-item';
import { IntakeService } from './intake.service';

/** Consumes `<ns>.manager.requests` in batches: one intake call per batch, acked after it. */
@Injectable()
export class IntakeConsumer {
  readonly consumer: BatchConsumer;

  constructor(
    amqp: AmqpService,
    intake: IntakeService,
    @Inject(NAMES) names: Names,
    @Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment,
  ) {
    this.consumer = new BatchConsumer(amqp.connection, {
      queue: names.queues.managerRequests,
      prefetch: environment.prefetch,
      batchSize: environment.batchSize,
      windowMs: environment.batchWindowMs,
      // Intake order matters less (waiting requests are claimed by arrival sequence); overlap helps throughput.
      maxInFlight: 2,
      handle: async (messages) => {
        await intake.ingest(messages.map(intakeItemOf));
      },
    });
  }
}
