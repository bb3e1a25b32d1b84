import { Controller, Logger, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsumeMessage } from 'amqplib';
import { parseResponse } from '@org/protocol';
import { RethrowBatchErrors } from '../../messaging/rethrow-batch-errors.filter';
import { outcomeOfResponse, type Outcome } from '../engine/outcome';
import { OutcomesService } from '../outcomes.service';
import { RequestCounters } from '../request-counters';

/**
 * `<ns>.manager.responses`: one transaction per batch, acknowledged after commit. One batch at
 * a time, so a worker's RUNNING is applied before its SUCCESS.
 */
@Controller()
@UseFilters(RethrowBatchErrors)
export class ResponsesHandler {
  private readonly logger = new Logger('Responses');

  constructor(
    private readonly outcomes: OutcomesService,
    private readonly counters: RequestCounters,
  ) {}

  @EventPattern('managerResponses', { startOrder: 0 })
  async onResponses(@Payload() batch: ConsumeMessage[]): Promise<void> {
    const outcomes: Outcome[] = [];
    for (const message of batch) {
      const parsed = parseResponse(message);
      if (parsed.ok) {
        outcomes.push(outcomeOfResponse(parsed.value));
      } else {
        this.counters.drop('invalid');
        this.logger.warn(`dropped a malformed response: ${parsed.error.message}`);
      }
    }
    await this.outcomes.applyBatch(outcomes);
  }
}
