import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsumeMessage } from 'amqplib';
import { parseResponse } from '@org/protocol';
import { ResponseParking } from '../../messaging/response-parking';
import { RequestTraces } from '../../tracing/request-traces';
import { RethrowBatchErrors } from '../../messaging/rethrow-batch-errors.filter';
import { outcomeOfResponse, type Outcome } from '../engine/outcome';
import { OutcomesService } from '../outcomes.service';

/**
 * `<ns>.manager.responses`: one transaction per batch, acknowledged after commit. One batch at
 * a time, so a worker's RUNNING is applied before its SUCCESS. A response that breaks the
 * contract is parked (`<ns>.parked`) with its reasons.
 */
@Controller()
@UseFilters(RethrowBatchErrors)
export class ResponsesHandler {
  constructor(
    private readonly outcomes: OutcomesService,
    private readonly parking: ResponseParking,
    private readonly traces: RequestTraces,
  ) {}

  @EventPattern('managerResponses', { startOrder: 0 })
  async onResponses(@Payload() batch: ConsumeMessage[]): Promise<void> {
    const outcomes: Outcome[] = [];
    for (const message of batch) {
      const parsed = parseResponse(message);
      if (parsed.ok) {
        this.traces.response(parsed.value);
        outcomes.push(outcomeOfResponse(parsed.value));
      } else await this.parking.park(message, parsed.error);
    }
    await this.outcomes.applyBatch(outcomes);
  }
}
