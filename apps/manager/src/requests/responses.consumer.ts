import { Inject, Injectable } from '@nestjs/common';
import { parseResponse, type Names } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { AmqpService } from '../messaging/amqp.service';
import { BatchConsumer } from '../messaging/batch-consumer';
import { ResponseParking } from '../messaging/response-parking';
import { OutcomeApplier } from './outcome-applier.service';
import { outcomeOfResponse, type Outcome } from './outcome';

/**
 * Consumes `<ns>.manager.responses` in batches: one transaction per batch, acked after commit.
 * A response that breaks the contract is parked (`<ns>.parked`) with its reasons.
 */
@Injectable()
export class ResponsesConsumer {
  readonly consumer: BatchConsumer;

  constructor(
    amqp: AmqpService,
    applier: OutcomeApplier,
    parking: ResponseParking,
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
            await parking.park(message, parsed.error);
          }
        }
        await applier.applyBatch(outcomes);
      },
    });
  }
}
