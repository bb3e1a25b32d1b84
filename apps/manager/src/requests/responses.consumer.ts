import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseResponse, type Names } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { AmqpService } from '../messaging/amqp.service';
import { BatchConsumer } from '../messaging/batch-consumer';
import { outcomeOfResponse, type Outcome } from './engine/outcome';
import { OutcomesService } from './outcomes.service';
import { RequestCounters } from './request-counters';

/** Consumes `<ns>.manager.responses` in batches: one transaction per batch, acked after commit. */
@Injectable()
export class ResponsesConsumer {
  private readonly logger = new Logger('Responses');
  readonly consumer: BatchConsumer;

  constructor(
    amqp: AmqpService,
    applier: OutcomesService,
    counters: RequestCounters,
    @Inject(NAMES) names: Names,
    @Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment,
  ) {
    this.consumer = new BatchConsumer(amqp.connection, {
      queue: names.queues.managerResponses,
      prefetch: environment.prefetch,
      batchSize: environment.batchSize,
      windowMs: environment.batchWindowMs,
      handle: async (messages) => {
        const outcomes: Outcome[] = [];
        for (const message of messages) {
          const parsed = parseResponse(message);
          if (parsed.ok) {
            outcomes.push(outcomeOfResponse(parsed.value));
          } else {
            counters.drop('invalid');
            this.logger.warn(`dropped a malformed response: ${parsed.error.message}`);
          }
        }
        await applier.applyBatch(outcomes);
      },
    });
  }
}
