import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseJob, readDeadLetter, type Names } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { AmqpService } from '../messaging/amqp.service';
import { BatchConsumer } from '../messaging/batch-consumer';
import { failureOutcome, type Outcome } from './engine/outcome';
import { OutcomesService } from './outcomes.service';
import { RequestCounters } from './request-counters';

/**
 * Consumes `<ns>.manager.dead`. A job a worker queue dead-lettered becomes ERROR with the reason
 * (a crash loop, `delivery_limit`, counts as retryable under the retry policy; a rejection does
 * not). A dead-lettered manager message is logged and acknowledged: the topology already parked
 * it for a person, and it has no request to fail.
 */
@Injectable()
export class DeadLetterConsumer {
  private readonly logger = new Logger('DeadLetters');
  readonly consumer: BatchConsumer;

  constructor(
    amqp: AmqpService,
    applier: OutcomesService,
    counters: RequestCounters,
    @Inject(NAMES) names: Names,
    @Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment,
  ) {
    this.consumer = new BatchConsumer(amqp.connection, {
      queue: names.queues.managerDead,
      prefetch: Math.min(environment.prefetch, 100),
      batchSize: Math.min(environment.batchSize, 50),
      windowMs: environment.batchWindowMs,
      handle: async (messages) => {
        const outcomes: Outcome[] = [];
        for (const message of messages) {
          const info = readDeadLetter(message);
          const job = info.isJob ? parseJob(message) : undefined;
          if (!job?.ok) {
            this.logger.warn(
              `dead-lettered message from ${info.queue} (${info.reason}, key ${info.routingKey}) acknowledged without effect`,
            );
            continue;
          }
          counters.deadLettered += 1;
          outcomes.push(
            failureOutcome(
              job.value.requestId,
              job.value.attempt,
              [info.description],
              info.reason === 'delivery_limit',
            ),
          );
        }
        await applier.applyBatch(outcomes);
      },
    });
  }
}
