import { Controller, Logger, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsumeMessage } from 'amqplib';
import { parseJob } from '@org/protocol';
import { RethrowBatchErrors } from '../../messaging/rethrow-batch-errors.filter';
import { OutcomesService } from '../outcomes.service';
import { RequestCounters } from '../request-counters';
import { type DispatchKey } from '../store/dispatch.repository';

/**
 * `<ns>.manager.unrouted`: jobs no worker queue was bound for (the queue was deleted). Their
 * requests go back to NO_WORKER_AVAILABLE, if the job is still the current attempt.
 */
@Controller()
@UseFilters(RethrowBatchErrors)
export class UnroutedHandler {
  private readonly logger = new Logger('Unrouted');

  constructor(
    private readonly outcomes: OutcomesService,
    private readonly counters: RequestCounters,
  ) {}

  @EventPattern('managerUnrouted', { maxPrefetch: 200, maxBatchSize: 100, startOrder: 2 })
  async onUnrouted(@Payload() batch: ConsumeMessage[]): Promise<void> {
    const keys: DispatchKey[] = [];
    for (const message of batch) {
      const job = parseJob(message);
      if (job.ok) keys.push({ id: job.value.requestId, attempt: job.value.attempt });
      else this.logger.warn(`unroutable message that is not a job, dropped: ${job.error.message}`);
    }
    this.counters.unroutable += keys.length;
    const count = await this.outcomes.applyUnroutable(keys);
    if (count > 0) this.logger.warn(`${count} unroutable job(s) returned to waiting`);
  }
}
