import { Controller, Logger, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsumeMessage } from 'amqplib';
import { isBatch, parseJob, parseJobBatch, readDeadLetter } from '@org/protocol';
import { RethrowBatchErrors } from '../../messaging/rethrow-batch-errors.filter';
import { failureOutcome, type Outcome } from '../engine/outcome';
import { OutcomesService } from '../outcomes.service';
import { RequestCounters } from '../request-counters';
import { type DispatchKey } from '../store/dispatch.repository';

/**
 * `<ns>.manager.dead`. A job a worker queue dead-lettered becomes ERROR with the reason (a crash
 * loop, `delivery_limit`, counts as retryable under the retry policy; a rejection does not). A
 * dead-lettered job batch condemns none of its items: each is dispatched again alone (design
 * 5.2). A dead-lettered manager message is logged and acknowledged: the topology already parked
 * it for a person, and it has no request to fail.
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
    const batched: DispatchKey[] = [];
    for (const message of batch) {
      const info = readDeadLetter(message);
      if (info.isJob && isBatch(message)) {
        const jobs = parseJobBatch(message);
        if (jobs.ok) {
          for (const item of jobs.value) {
            if (item.parsed.ok)
              batched.push({ id: item.parsed.value.requestId, attempt: item.parsed.value.attempt });
          }
          continue;
        }
      }
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
    const again = await this.outcomes.applyDeadLetteredBatch(batched);
    if (again > 0)
      this.logger.warn(`${again} job(s) of dead-lettered job batches dispatched again alone`);
  }
}
