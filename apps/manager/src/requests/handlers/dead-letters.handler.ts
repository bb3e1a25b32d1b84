import { Controller, Logger, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsumeMessage } from 'amqplib';
import { parseJob, readDeadLetter } from '@org/protocol';
import { RethrowBatchErrors } from '../../messaging/rethrow-batch-errors.filter';
import { failureOutcome, type Outcome } from '../engine/outcome';
import { OutcomesService } from '../outcomes.service';
import { RequestCounters } from '../request-counters';

/**
 * `<ns>.manager.dead`. A job a worker queue dead-lettered becomes ERROR with the reason (a crash
 * loop, `delivery_limit`, counts as retryable under the retry policy; a rejection does not). A
 * dead-lettered manager message is logged and acknowledged: the topology already parked it for
 * a person, and it has no request to fail.
 */
@Controller()
@UseFilters(RethrowBatchErrors)
export class DeadLettersHandler {
  private readonly logger = new Logger('DeadLetters');

  constructor(
    private readonly outcomes: OutcomesService,
    private readonly counters: RequestCounters,
  ) {}

  @EventPattern('managerDead', { maxPrefetch: 100, maxBatchSize: 50, startOrder: 1 })
  async onDeadLetters(@Payload() batch: ConsumeMessage[]): Promise<void> {
    const outcomes: Outcome[] = [];
    for (const message of batch) {
      const info = readDeadLetter(message);
      const job = info.isJob ? parseJob(message) : undefined;
      if (!job?.ok) {
        this.logger.warn(
          `dead-lettered message from ${info.queue} (${info.reason}, key ${info.routingKey}) acknowledged without effect`,
        );
        continue;
      }
      this.counters.deadLettered += 1;
      outcomes.push(
        failureOutcome(
          job.value.requestId,
          job.value.attempt,
          [info.description],
          info.reason === 'delivery_limit',
        ),
      );
    }
    await this.outcomes.applyBatch(outcomes);
  }
}
